import { afterEach, beforeEach } from 'vitest';
import { loadConfig, type WebhookConfig } from '../../src/lib/config.ts';
import { startWebhookWorker } from '../../src/worker/webhook-worker.ts';
import { createTestApp, type TestApp } from './app.ts';
import { makeParticipant, makeProgram } from './factories.ts';
import { type Received, startReceiver, startRedirector } from './webhook-receiver.ts';

/** Development settings: endpoints may be http:// on 127.0.0.1, where the test receivers listen. */
export const DEV_ENV = { VOUCH_WEBHOOK_ALLOW_PRIVATE: 'true', VOUCH_WEBHOOK_TIMEOUT_MS: '2000' };
export const DAY = 86_400_000;

export const silent = { info() {}, error() {}, warn() {}, debug() {}, trace() {}, fatal() {} } as never;

export async function until<T>(check: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The worker's clock: the real time, moved ahead by `offset` to reach a retry without waiting. */
export class Clock {
  offset = 0;
  readonly now = () => new Date(Date.now() + this.offset);
  /** Moves the clock to `iso` (or leaves it where it is if that is already past). */
  reach(iso: string) {
    this.offset = Math.max(this.offset, new Date(iso).getTime() - Date.now() + 1);
  }
}

export interface Delivery {
  id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  attempt_log: {
    attempted_at: string;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
  }[];
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * A fresh app and database per test, one program to raise events in, and clean-up of every
 * worker and receiver a test starts (workers first, so no attempt is left hanging).
 */
export function webhookHarness(env: Record<string, string> = DEV_ENV) {
  let app: TestApp | undefined;
  let programId = '';
  let workers: (() => Promise<void>)[] = [];
  let servers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    app = await createTestApp(env);
    programId = (await makeProgram(app)).id;
  });
  afterEach(async () => {
    await Promise.all(workers.map((stop) => stop()));
    await Promise.all(servers.map((close) => close()));
    workers = [];
    servers = [];
    await app?.close();
  });

  const t = () => {
    if (!app) throw new Error('webhookHarness: use it inside a test');
    return app;
  };

  return {
    get t() {
      return t();
    },
    /** Starts a worker on the test's database; settings default to the app's. */
    worker(overrides: Partial<WebhookConfig> = {}, clock: Clock = new Clock()) {
      const config = { ...loadConfig(env).webhooks, ...overrides };
      const stop = startWebhookWorker(t().store, config, silent, clock.now);
      workers.push(stop);
      return stop;
    },
    async receiver(respond?: Parameters<typeof startReceiver>[0]) {
      const receiver = await startReceiver(respond);
      servers.push(receiver.close);
      return receiver;
    },
    async redirector(status: number, location: string) {
      const server = await startRedirector(status, location);
      servers.push(server.close);
      return server;
    },
    async endpoint(url: string, events: string[] = ['participant.created']) {
      const res = await t().api('POST', '/v1/webhook_endpoints', { url, events });
      if (res.status !== 201) throw new Error(`endpoint not created: ${JSON.stringify(res.body)}`);
      return res.body as { id: string; secret: string };
    },
    async endpointNow(id: string) {
      return (await t().api('GET', `/v1/webhook_endpoints/${id}`)).body;
    },
    async deliveries(endpointId: string, status?: Delivery['status']): Promise<Delivery[]> {
      const query = status ? `?status=${status}&limit=100` : '?limit=100';
      const res = await t().api('GET', `/v1/webhook_endpoints/${endpointId}/deliveries${query}`);
      if (res.status !== 200) throw new Error(`deliveries: ${JSON.stringify(res.body)}`);
      return res.body.data;
    },
    /** Raises one participant.created event; returns the participant's id, which its payload names. */
    async emit(): Promise<string> {
      return (await makeParticipant(t(), programId)).id;
    },
    get programId() {
      return programId;
    },
  };
}

/** The parsed bodies a receiver got, in order. */
export const bodies = (received: readonly Received[]) =>
  received.map((r) => JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> });
