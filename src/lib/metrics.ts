import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics, one registry per app or worker (tests build many apps in one process, so
 * nothing goes to prom-client's global registry). Labels name routes, outcomes and error codes,
 * never a code, email or id. Hot paths (referral links, click buffering) bump plain numbers that
 * are read at scrape time: prom-client's inc() allocates, a field increment does not.
 */

/** Why a database operation failed, as `vouch_database_errors_total` counts it. */
export type DatabaseErrorKind = 'connection_lost' | 'connect_failed' | 'transaction_retried';

export type EventOutcome = 'created' | 'replayed' | 'rejected';

export type DeliveryOutcome = 'delivered' | 'failed_will_retry' | 'failed_final';

/** What the outbox holds now, read by one query at scrape time. */
export interface Backlog {
  /** Messages not fanned out to endpoints yet. */
  waiting: number;
  /** When the oldest of them was written (ISO), or null when none waits. */
  oldestAt: string | null;
  /** Deliveries waiting for an attempt (first or retry). */
  pendingDeliveries: number;
}

/** The click recorder's running totals, read at scrape time. */
export interface ClickTotals {
  readonly buffered: number;
  readonly written: number;
  readonly dropped: number;
  readonly waiting: number;
}

export const REDIRECT_ROUTE = '/r/:code';
const REDIRECT_STATUSES = [302, 404, 429, 500] as const;
export type RedirectStatus = (typeof REDIRECT_STATUSES)[number];

/**
 * Referral links answered, by method (GET, HEAD) and status, counted in a fixed array: a redirect
 * pays one array increment.
 */
export class RedirectTally {
  readonly counts = new Float64Array(REDIRECT_STATUSES.length * 2);

  answered(head: boolean, status: RedirectStatus): void {
    const slot = status === 302 ? 0 : status === 404 ? 1 : status === 429 ? 2 : 3;
    const i = head ? slot + REDIRECT_STATUSES.length : slot;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
  }
}

// A scrape waits at most this long for the outbox query: a slow database must not hang it.
export const BACKLOG_TIMEOUT_MS = 1_000;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Reports running totals kept elsewhere through a counter: at each scrape it adds what each total
 * grew by since the last one.
 */
function totals<L extends string>(counter: Counter<L>) {
  const reported = new Map<string, number>();
  return (value: number, labels?: Partial<Record<L, string>>) => {
    const key = labels ? JSON.stringify(labels) : '';
    const grown = value - (reported.get(key) ?? 0);
    if (grown <= 0) return;
    reported.set(key, value);
    if (labels) counter.inc(labels, grown);
    else counter.inc(grown);
  };
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event-loop lag, GC): on for real processes, off in tests. */
  processMetrics?: boolean;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'vouch_' });

  let clicks: (() => ClickTotals) | null = null;
  let backlog: (() => Promise<Backlog>) | null = null;
  let onBacklogFailure: (err: unknown) => void = () => {};
  const redirects = new RedirectTally();

  let report: ReturnType<typeof totals<'method' | 'route' | 'status'>> | undefined;
  const httpRequests = new Counter({
    name: 'vouch_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern (/r/:code, never the URL) and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
    collect() {
      report ??= totals(this);
      REDIRECT_STATUSES.forEach((status, i) => {
        for (const [method, offset] of [
          ['GET', 0],
          ['HEAD', REDIRECT_STATUSES.length],
        ] as const) {
          const value = redirects.counts[i + offset] ?? 0;
          report?.(value, { method, route: REDIRECT_ROUTE, status: String(status) });
        }
      });
    },
  });
  const httpDuration = new Histogram({
    name: 'vouch_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern; referral links (/r/:code) are counted in vouch_http_requests_total only.',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const events = new Counter({
    name: 'vouch_events_total',
    help: 'Events ingested through POST /v1/events, by type and outcome (created, replayed, rejected); code is the error code of a rejected one.',
    labelNames: ['type', 'outcome', 'code'] as const,
    registers,
  });
  const clickCounter = (name: string, help: string, read: (t: ClickTotals) => number) => {
    let report: ReturnType<typeof totals> | undefined;
    new Counter({
      name,
      help,
      registers,
      collect() {
        report ??= totals(this);
        if (clicks) report(read(clicks()));
      },
    });
  };
  clickCounter(
    'vouch_clicks_buffered_total',
    'Clicks on referral links taken into the write buffer.',
    (t) => t.buffered,
  );
  clickCounter('vouch_clicks_written_total', 'Buffered clicks committed to the database.', (t) => t.written);
  clickCounter(
    'vouch_clicks_dropped_total',
    'Buffered clicks dropped because too many waited while the database refused writes.',
    (t) => t.dropped,
  );
  new Gauge({
    name: 'vouch_clicks_waiting',
    help: 'Clicks in the buffer, not written yet.',
    registers,
    collect() {
      this.set(clicks ? clicks().waiting : 0);
    },
  });

  // Three gauges from one query per scrape: the registry collects its metrics concurrently, so
  // the three collects share the query in flight. A failed or slow query reads NaN.
  let measuring: Promise<Backlog | null> | null = null;
  const measure = () => {
    measuring ??= (backlog ? withTimeout(backlog(), BACKLOG_TIMEOUT_MS) : Promise.resolve(null))
      .catch((err: unknown) => {
        onBacklogFailure(err);
        return null;
      })
      .finally(() => {
        measuring = null;
      });
    return measuring;
  };
  const backlogGauge = (name: string, help: string, read: (b: Backlog) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        if (!backlog) return;
        const b = await measure();
        this.set(b ? read(b) : Number.NaN);
      },
    });
  backlogGauge(
    'vouch_outbox_depth',
    'Outbox messages not yet fanned out to webhook endpoints (the whole database); NaN when the query failed or timed out.',
    (b) => b.waiting,
  );
  backlogGauge(
    'vouch_outbox_oldest_age_seconds',
    'Age of the oldest outbox message not yet fanned out, 0 when none waits; NaN when the query failed or timed out.',
    (b) => (b.oldestAt ? Math.max(0, (Date.now() - Date.parse(b.oldestAt)) / 1000) : 0),
  );
  backlogGauge(
    'vouch_webhook_deliveries_pending',
    'Webhook deliveries waiting for an attempt, first or retry (the whole database); NaN when the query failed or timed out.',
    (b) => b.pendingDeliveries,
  );

  const webhookDeliveries = new Counter({
    name: 'vouch_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome: delivered, failed_will_retry, failed_final (given up, endpoint gone or disabled).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const leaseExpiries = new Counter({
    name: 'vouch_webhook_lease_expiries_total',
    help: 'Webhook deliveries taken again after their lease ran out (the worker holding them died or stalled).',
    registers,
  });
  const databaseErrors = new Counter({
    name: 'vouch_database_errors_total',
    help: 'Database failures by kind: connection_lost (in use), connect_failed (none could be opened), transaction_retried (PostgreSQL deadlock or serialization conflict).',
    labelNames: ['kind'] as const,
    registers,
  });

  return {
    registry,
    redirects,
    httpRequest(method: string, route: string, status: number, seconds: number): void {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
    event(type: string, outcome: EventOutcome, code = ''): void {
      events.inc({ type, outcome, code });
    },
    delivery(outcome: DeliveryOutcome): void {
      webhookDeliveries.inc({ outcome });
    },
    leaseExpired(count: number): void {
      if (count > 0) leaseExpiries.inc(count);
    },
    databaseError(kind: DatabaseErrorKind): void {
      databaseErrors.inc({ kind });
    },
    /** Where click totals are read at scrape time. */
    watchClicks(read: () => ClickTotals): void {
      clicks = read;
    },
    /** The query that measures the outbox at scrape time, and where its failure is reported. */
    watchBacklog(read: () => Promise<Backlog>, onFailure: (err: unknown) => void): void {
      backlog = read;
      onBacklogFailure = onFailure;
    },
    /** The text format Prometheus scrapes. */
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
