import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type AppOptions, buildApp } from '../../src/http/app.ts';
import { loadConfig } from '../../src/lib/config.ts';
import { createMetrics, type Metrics } from '../../src/lib/metrics.ts';
import { createApiKey } from '../../src/services/access/api-keys.ts';
import { validatingInject } from './response-validator.ts';
import { createTestStore, type TestStore } from './store.ts';

export const PUBLIC_URL = 'https://vouch.example.com';
export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface TestApp {
  app: FastifyInstance;
  store: TestStore;
  key: string;
  /** The app's metrics registry, for a worker a test starts beside it. */
  metrics: Metrics;
  /** Sets the clock the app sees; defaults to the real time. */
  setNow(date: Date | null): void;
  /** An authenticated JSON request. */
  api(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  body: any;
  headers: LightMyRequestResponse['headers'];
  raw: LightMyRequestResponse;
}

// Tests send requests far faster than any client, all from one address; the rate limits' own
// tests turn them on.
const NO_RATE_LIMITS = {
  VOUCH_RATE_LIMIT_KEY: 'off',
  VOUCH_RATE_LIMIT_IP: 'off',
  VOUCH_RATE_LIMIT_AUTH_FAILURES: 'off',
  VOUCH_RATE_LIMIT_LINKS: 'off',
  VOUCH_RATE_LIMIT_SIGN_IN_EMAIL: 'off',
  VOUCH_RATE_LIMIT_SIGN_IN_IP: 'off',
};

/** A real app on a fresh database, with one secret key; requests go through fastify.inject. */
export async function createTestApp(
  env: Record<string, string> = {},
  options: Pick<AppOptions, 'extraV1Routes'> = {},
): Promise<TestApp> {
  const store = await createTestStore();
  const config = loadConfig({ VOUCH_PUBLIC_URL: PUBLIC_URL, LOG_LEVEL: 'silent', ...NO_RATE_LIMITS, ...env });
  let fixedNow: Date | null = null;
  const metrics = createMetrics();
  const app = await buildApp({
    metrics,
    store,
    config,
    secret: TEST_SECRET,
    logger: false,
    now: () => fixedNow ?? new Date(),
    clickRecorder: { maxDelayMs: 5 },
    ...options,
  });
  // Every answer a test receives, through api() or app.inject, must be what /openapi.json says.
  app.inject = validatingInject(app.inject.bind(app)) as typeof app.inject;
  const { plaintext: key } = await store.transaction((trx) => createApiKey(trx, 'test', new Date()));
  return {
    app,
    store,
    key,
    metrics,
    setNow(date) {
      fixedNow = date;
    },
    async api(method, url, body, headers = {}) {
      const raw = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, ...headers },
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      });
      const text = raw.body;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (the 404 page): keep the text.
      }
      return { status: raw.statusCode, body: parsed, headers: raw.headers, raw };
    },
    async close() {
      await app.close();
      await store.drop();
    },
  };
}
