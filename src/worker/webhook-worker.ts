import type { FastifyBaseLogger } from 'fastify';
import type { WebhookConfig } from '../lib/config.ts';
import type { Metrics } from '../lib/metrics.ts';
import { SealingError } from '../lib/sealing.ts';
import type { Mailing } from '../services/emails/queue-emails.ts';
import { signingSecrets } from '../services/webhooks/endpoint-secrets.ts';
import {
  type AttemptOutcome,
  type DeliveryRow,
  failForDisabledEndpoint,
  fanOut,
  recordAttempt,
} from '../services/webhooks/webhook-dispatch.ts';
import { ConnectionLost } from '../store/connection-loss.ts';
import type { Store } from '../store/database.ts';
import {
  type LeasedDelivery,
  leaseDueDeliveries,
  leaseFirstOfIdle,
} from '../store/repositories/webhook-deliveries.ts';
import { findEndpoint, type WebhookEndpointRow } from '../store/repositories/webhook-endpoints.ts';
import { createSender, type Outgoing, type Resolve } from './webhook-sender.ts';

const FAN_OUT_BATCH = 500;
const OUTCOME_LABEL = {
  delivered: 'delivered',
  retry: 'failed_will_retry',
  final: 'failed_final',
} as const satisfies Record<AttemptOutcome, string>;
const IDLE_MS = 200;

/**
 * Delivers webhooks: fans new outbox messages out to endpoints, leases due deliveries and sends
 * them, `concurrency` at a time and at most `perEndpoint` per endpoint, so a slow endpoint holds
 * its own slots and never the others', and an endpoint with nothing in flight is served first.
 * Every effect is recorded in the database before it counts, and a lease outlives an attempt's
 * timeout, so a worker killed at any point loses nothing: another (or the same, restarted) takes
 * the delivery again once its lease runs out, with the same `webhook-id`. Several workers may run
 * on one database. Returns a stop function that waits for the attempts in flight.
 */
export function startWebhookWorker(
  store: Store,
  config: WebhookConfig,
  log: FastifyBaseLogger,
  now: () => Date,
  options: {
    /** How addresses are looked up (tests answer with their own). */
    resolve?: Resolve;
    /** Where outcomes and expired leases are counted. */
    metrics?: Metrics;
    /** When Vouch sends emails: fanning out writes the emails each message causes. */
    mailing?: Mailing;
  } = {},
): () => Promise<void> {
  const { resolve, metrics, mailing } = options;
  const sender = createSender({ ...config, resolve });
  const inFlight = new Map<string, number>();
  /** When each endpoint last had an attempt started, as a sequence number: the idle pass's order. */
  const lastLaunched = new Map<string, number>();
  let launches = 0;
  const attempts = new Set<Promise<void>>();
  const leaseMs = config.timeoutMs + 30_000;
  let running = true;
  let wake: (() => void) | null = null;

  const slotsOf = (endpointId: string) => config.perEndpoint - (inFlight.get(endpointId) ?? 0);
  const busy = () => [...inFlight].filter(([, n]) => n >= config.perEndpoint).map(([id]) => id);

  async function attempt(delivery: DeliveryRow, endpoint: WebhookEndpointRow | undefined): Promise<void> {
    if (endpoint?.status !== 'enabled') {
      const outcome = await store.transaction((trx) => failForDisabledEndpoint(trx, delivery));
      metrics?.delivery(OUTCOME_LABEL[outcome]);
      return;
    }
    const at = now();
    const out: Outgoing = {
      url: endpoint.url,
      secrets: signingSecrets(store.keyring, endpoint, at),
      messageId: delivery.message_id,
      body: delivery.payload,
    };
    const result = await sender.send(out, at);
    const outcome = await store.transaction((trx) =>
      recordAttempt(trx, delivery, result, now(), Math.random()),
    );
    metrics?.delivery(OUTCOME_LABEL[outcome]);
  }

  function launch(delivery: DeliveryRow, endpoint: WebhookEndpointRow | undefined): void {
    inFlight.set(delivery.endpoint_id, (inFlight.get(delivery.endpoint_id) ?? 0) + 1);
    lastLaunched.set(delivery.endpoint_id, ++launches);
    const task = attempt(delivery, endpoint)
      .catch((err: unknown) => {
        const message =
          'recording a webhook attempt failed; its lease will run out and it will be tried again';
        // A lost connection was logged by the store already; here only what it costs.
        if (err instanceof ConnectionLost)
          log.warn({ delivery: delivery.id, reason: 'database connection lost' }, message);
        // Another process resealed the secrets under a key this one was not started with.
        else if (err instanceof SealingError)
          log.error({ delivery: delivery.id }, `cannot open the endpoint's signing secret: ${err.message}`);
        else log.error({ err, delivery: delivery.id }, message);
      })
      .finally(() => {
        const left = (inFlight.get(delivery.endpoint_id) ?? 1) - 1;
        if (left === 0) inFlight.delete(delivery.endpoint_id);
        else inFlight.set(delivery.endpoint_id, left);
        attempts.delete(task);
        wake?.();
      });
    attempts.add(task);
  }

  /**
   * One round: fan out all that is new, then take what is due. Whether it took any: only then is
   * another round due at once. Otherwise the loop waits, so that while messages trickle in (every
   * ingested event writes some) it does not contend with ingestion for the database's writer.
   */
  async function round(): Promise<boolean> {
    while (
      (await store.transaction((trx) => fanOut(trx, now(), FAN_OUT_BATCH, mailing))) === FAN_OUT_BATCH
    ) {}
    const free = config.concurrency - attempts.size;
    if (free <= 0) return false;
    const at = now();
    const [nowIso, until] = [at.toISOString(), new Date(at.getTime() + leaseMs).toISOString()];
    const leased: LeasedDelivery[] = await store.transaction(async (trx) => {
      // First one each for endpoints with nothing in flight, the longest unserved first: slow
      // endpoints holding every slot then give the next free one to an endpoint waiting behind
      // their older backlog. Then the oldest due, within each endpoint's slots.
      const rank = (id: string) => lastLaunched.get(id) ?? 0;
      const idle = await leaseFirstOfIdle(trx, nowIso, until, free, [...inFlight.keys()], rank);
      const rest = free - idle.length;
      if (rest === 0) return idle;
      const taken = (id: string) => idle.filter((d) => d.endpoint_id === id).length;
      const slots = (id: string) => slotsOf(id) - taken(id);
      return [...idle, ...(await leaseDueDeliveries(trx, nowIso, until, rest, slots, busy()))];
    });
    metrics?.leaseExpired(leased.filter((d) => d.lease_expired).length);
    const endpoints = new Map<string, WebhookEndpointRow | undefined>();
    for (const delivery of leased) {
      if (!endpoints.has(delivery.endpoint_id)) {
        endpoints.set(delivery.endpoint_id, await findEndpoint(store.db, delivery.endpoint_id));
      }
      launch(delivery, endpoints.get(delivery.endpoint_id));
    }
    return leased.length > 0;
  }

  const loop = (async () => {
    while (running) {
      let worked = false;
      try {
        worked = await round();
      } catch (err) {
        // A lost connection was logged once by the store; the next round opens a new one.
        if (!(err instanceof ConnectionLost))
          log.error({ err }, 'webhook delivery round failed; trying again');
      }
      if (!worked && running) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, IDLE_MS).unref();
        });
        wake = null;
      }
    }
  })();

  return async () => {
    running = false;
    wake?.();
    await loop;
    await Promise.all(attempts);
    sender.close();
  };
}
