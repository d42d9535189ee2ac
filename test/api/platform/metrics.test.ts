import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../../src/http/metrics.ts';
import { loadConfig } from '../../../src/lib/config.ts';
import { openStore } from '../../../src/store/database.ts';
import { startWebhookWorker } from '../../../src/worker/webhook-worker.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { DEV_ENV, until } from '../../support/webhook-harness.ts';
import { startReceiver } from '../../support/webhook-receiver.ts';

// GET /metrics: hidden unless VOUCH_METRICS_TOKEN is set, refused without it, and counters that
// move by exactly what the requests, events, clicks and webhook deliveries driven here did.

const TOKEN = 'metrics-token-0123456789';
const silent = { info() {}, error() {}, warn() {}, debug() {}, trace() {}, fatal() {} } as never;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text format, line by line: `name{a="x",b="y"} value`; comments and blank lines skipped. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A sample's value; 0 when the series does not exist yet (a counter never incremented). */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}

describe('GET /metrics', () => {
  let t: TestApp;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await t?.close();
  });

  const scrape = async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    return parse(res.body);
  };
  /** What each series grew by while `work` ran. */
  const growth = async (work: () => Promise<unknown>) => {
    const before = await scrape();
    await work();
    const after = await scrape();
    return (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
  };

  it('does not exist when VOUCH_METRICS_TOKEN is unset', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('answers 401 invalid_metrics_token without the token, with a wrong one, or with an API key', async () => {
    t = await createTestApp({ VOUCH_METRICS_TOKEN: TOKEN });
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, 'Bearer short', `Bearer ${t.key}`, TOKEN]) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ type: 'authentication_error', code: 'invalid_metrics_token' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    const ok = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    // Every metric says what it means.
    for (const name of [
      'vouch_http_requests_total',
      'vouch_http_request_duration_seconds',
      'vouch_events_total',
      'vouch_clicks_buffered_total',
      'vouch_clicks_written_total',
      'vouch_outbox_depth',
      'vouch_outbox_oldest_age_seconds',
      'vouch_webhook_deliveries_pending',
      'vouch_webhook_deliveries_total',
      'vouch_webhook_lease_expiries_total',
      'vouch_database_errors_total',
    ]) {
      expect(ok.body).toMatch(new RegExp(`^# HELP ${name} \\S.+$`, 'm'));
    }
  });

  it('counts requests by route pattern and status, with their latency', async () => {
    t = await createTestApp({ VOUCH_METRICS_TOKEN: TOKEN });
    const program = await makeProgram(t);
    const grew = await growth(async () => {
      expect((await t.api('GET', '/v1/programs')).status).toBe(200);
      expect((await t.api('GET', '/v1/programs')).status).toBe(200);
      expect((await t.api('GET', `/v1/programs/${program.id}`)).status).toBe(200);
      expect((await t.api('GET', '/v1/programs/prg_nope')).status).toBe(404);
      expect((await t.api('GET', '/v1/no-such-thing')).status).toBe(404);
    });
    const get = { method: 'GET' };
    expect(grew('vouch_http_requests_total', { ...get, route: '/v1/programs', status: '200' })).toBe(2);
    expect(grew('vouch_http_requests_total', { ...get, route: '/v1/programs/:id', status: '200' })).toBe(1);
    expect(grew('vouch_http_requests_total', { ...get, route: '/v1/programs/:id', status: '404' })).toBe(1);
    expect(grew('vouch_http_requests_total', { ...get, route: '(unmatched)', status: '404' })).toBe(1);
    // The scrape before the work is counted by the scrape after it.
    expect(grew('vouch_http_requests_total', { ...get, route: '/metrics', status: '200' })).toBe(1);
    const duration = { ...get, route: '/v1/programs' };
    expect(grew('vouch_http_request_duration_seconds_count', duration)).toBe(2);
    expect(grew('vouch_http_request_duration_seconds_bucket', { ...duration, le: '+Inf' })).toBe(2);
    expect(grew('vouch_http_request_duration_seconds_sum', duration)).toBeGreaterThan(0);
    // No id, code or raw URL ever becomes a label.
    const text = (
      await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
    ).body;
    expect(text).not.toContain(program.id);
    expect(text).not.toContain('prg_nope');
    expect(text).not.toContain('no-such-thing');
  });

  it('counts events created, replayed and rejected by error code', async () => {
    t = await createTestApp({ VOUCH_METRICS_TOKEN: TOKEN });
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const signup = event('signup', unique('friend'), { referral: { code: referrer.referral_code } });
    const grew = await growth(async () => {
      expect((await t.api('POST', '/v1/events', signup)).status).toBe(201);
      expect((await t.api('POST', '/v1/events', signup)).status).toBe(200);
      const keyed = event('signup', unique('friend'));
      const key = { 'idempotency-key': unique('key') };
      expect((await t.api('POST', '/v1/events', keyed, key)).status).toBe(201);
      expect((await t.api('POST', '/v1/events', keyed, key)).status).toBe(201);
      expect((await t.api('POST', '/v1/events', { ...signup, external_id: undefined })).status).toBe(400);
      expect((await t.api('POST', '/v1/events', { ...signup, type: 'secret-value' })).status).toBe(400);
      const purchase = event('purchase', unique('nobody'), { amount: 1000, currency: 'XXQ' });
      expect((await t.api('POST', '/v1/events', purchase)).status).toBe(400);
    });
    expect(grew('vouch_events_total', { type: 'signup', outcome: 'created', code: '' })).toBe(2);
    expect(grew('vouch_events_total', { type: 'signup', outcome: 'replayed', code: '' })).toBe(2);
    expect(grew('vouch_events_total', { type: 'signup', outcome: 'rejected', code: 'missing_field' })).toBe(
      1,
    );
    expect(grew('vouch_events_total', { type: 'invalid', outcome: 'rejected', code: 'invalid_value' })).toBe(
      1,
    );
    const purchaseRejected = (await scrape()).filter(
      (s) => s.name === 'vouch_events_total' && s.labels.type === 'purchase',
    );
    expect(purchaseRejected.map((s) => [s.labels.outcome, s.value])).toEqual([['rejected', 1]]);
    expect(
      (await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } }))
        .body,
    ).not.toContain('secret-value');
  });

  it('counts referral links by status and clicks buffered then written, on the fast path and through inject', async () => {
    t = await createTestApp({ VOUCH_METRICS_TOKEN: TOKEN });
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const grew = await growth(async () => {
      const fast = await fetch(`${base}/r/${referrer.referral_code}`, { redirect: 'manual' });
      expect(fast.status).toBe(302);
      const head = await fetch(`${base}/r/${referrer.referral_code}`, { method: 'HEAD', redirect: 'manual' });
      expect(head.status).toBe(302);
      expect((await fetch(`${base}/r/NOSUCHCODE`, { redirect: 'manual' })).status).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/r/${referrer.referral_code}` })).statusCode).toBe(
        302,
      );
      // Written within the recorder's few milliseconds.
      await until(async () =>
        (await t.store.db.selectFrom('clicks').select('id').execute()).length === 3 ? true : undefined,
      );
    });
    const route = { route: '/r/:code' };
    expect(grew('vouch_http_requests_total', { method: 'GET', ...route, status: '302' })).toBe(2);
    expect(grew('vouch_http_requests_total', { method: 'HEAD', ...route, status: '302' })).toBe(1);
    expect(grew('vouch_http_requests_total', { method: 'GET', ...route, status: '404' })).toBe(1);
    expect(grew('vouch_clicks_buffered_total')).toBe(3);
    expect(grew('vouch_clicks_written_total')).toBe(3);
    const after = await scrape();
    expect(sampleValue(after, 'vouch_clicks_waiting')).toBe(0);
    expect(sampleValue(after, 'vouch_clicks_dropped_total')).toBe(0);
    // The link's code is never a label.
    expect(after.some((s) => Object.values(s.labels).includes(referrer.referral_code))).toBe(false);
  });

  it('reports the outbox and counts webhook deliveries by outcome and expired leases', async () => {
    t = await createTestApp({ VOUCH_METRICS_TOKEN: TOKEN, ...DEV_ENV });
    let failNext = 1;
    const receiver = await startReceiver(() => ({ status: failNext-- > 0 ? 500 : 200 }));
    stops.push(receiver.close);
    const program = await makeProgram(t);
    const created = await t.api('POST', '/v1/webhook_endpoints', {
      url: receiver.url,
      events: ['participant.created'],
    });
    expect(created.status).toBe(201);
    const worker = () => {
      const stop = startWebhookWorker(t.store, loadConfig(DEV_ENV).webhooks, silent, () => new Date(), {
        metrics: t.metrics,
      });
      stops.push(stop);
      return stop;
    };

    // No worker yet: the message waits in the outbox.
    const waiting = await growth(() => makeParticipant(t, program.id));
    expect(waiting('vouch_outbox_depth')).toBe(1);
    expect(sampleValue(await scrape(), 'vouch_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);

    // The first attempt fails (500) and is scheduled again.
    const stop = worker();
    const delivery = await until(async () => {
      const row = await t.store.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirst();
      return row && row.attempts === 1 ? row : undefined;
    });
    await stop();
    let samples = await scrape();
    expect(sampleValue(samples, 'vouch_outbox_depth')).toBe(0);
    expect(sampleValue(samples, 'vouch_outbox_oldest_age_seconds')).toBe(0);
    expect(sampleValue(samples, 'vouch_webhook_deliveries_pending')).toBe(1);
    expect(sampleValue(samples, 'vouch_webhook_deliveries_total', { outcome: 'failed_will_retry' })).toBe(1);
    expect(sampleValue(samples, 'vouch_webhook_deliveries_total', { outcome: 'delivered' })).toBe(0);

    // A worker died holding it: its lease ran out, and it is due. The next worker takes it again.
    const past = new Date(Date.now() - 60_000).toISOString();
    await t.store.transaction((trx) =>
      trx
        .updateTable('webhook_deliveries')
        .set({ locked_until: past, next_attempt_at: past })
        .where('id', '=', delivery.id)
        .execute(),
    );
    worker();
    await until(async () => {
      const row = await t.store.db
        .selectFrom('webhook_deliveries')
        .select('status')
        .where('id', '=', delivery.id)
        .executeTakeFirst();
      return row?.status === 'delivered' ? true : undefined;
    });
    samples = await scrape();
    expect(sampleValue(samples, 'vouch_webhook_lease_expiries_total')).toBe(1);
    expect(sampleValue(samples, 'vouch_webhook_deliveries_total', { outcome: 'delivered' })).toBe(1);
    expect(sampleValue(samples, 'vouch_webhook_deliveries_total', { outcome: 'failed_will_retry' })).toBe(1);
    expect(sampleValue(samples, 'vouch_webhook_deliveries_total', { outcome: 'failed_final' })).toBe(0);
    expect(sampleValue(samples, 'vouch_webhook_deliveries_pending')).toBe(0);
    expect(receiver.received).toHaveLength(2);
  });

  it('serves the same registry without a token on VOUCH_METRICS_PORT, and nothing else there', async () => {
    t = await createTestApp();
    await t.api('GET', '/v1/programs');
    const server = await startMetricsServer(t.metrics, 0, '127.0.0.1', silent);
    stops.push(server.close);
    const base = `http://127.0.0.1:${server.port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const samples = parse(await res.text());
    expect(
      sampleValue(samples, 'vouch_http_requests_total', {
        method: 'GET',
        route: '/v1/programs',
        status: '200',
      }),
    ).toBe(1);
    expect((await fetch(`${base}/v1/programs`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('reads VOUCH_METRICS_TOKEN and VOUCH_METRICS_PORT, refusing a short token and a bad port', () => {
    expect(loadConfig({ VOUCH_METRICS_TOKEN: TOKEN, VOUCH_METRICS_PORT: '9464' })).toMatchObject({
      metricsToken: TOKEN,
      metricsPort: 9464,
    });
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
    expect(() => loadConfig({ VOUCH_METRICS_TOKEN: 'short' })).toThrow(/VOUCH_METRICS_TOKEN/);
    expect(() => loadConfig({ VOUCH_METRICS_PORT: '0' })).toThrow(/VOUCH_METRICS_PORT/);
    expect(() => loadConfig({ VOUCH_METRICS_PORT: 'x' })).toThrow(/VOUCH_METRICS_PORT/);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('database errors', () => {
  it('counts a connection PostgreSQL refuses as connect_failed', async () => {
    // A port nothing listens on: every connection is refused at once.
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.port = '1';
    const store = await openStore(url.toString());
    const kinds: string[] = [];
    store.countDatabaseErrors((kind) => kinds.push(kind));
    await expect(store.db.selectFrom('outbox').select('id').execute()).rejects.toThrow();
    await store.close();
    expect(kinds.length).toBeGreaterThanOrEqual(1);
    expect(new Set(kinds)).toEqual(new Set(['connect_failed']));
  });
});
