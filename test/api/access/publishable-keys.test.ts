import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/http/app.ts';
import { loadConfig } from '../../../src/lib/config.ts';
import { createApiKey } from '../../../src/services/access/api-keys.ts';
import { createTestApp, PUBLIC_URL, TEST_SECRET, type TestApp } from '../../support/app.ts';
import { createTestStore } from '../../support/store.ts';

// No route of today is publishable (the referrer portal and the widget will bring the first), so
// this file registers its own, as a route of the /v1 scope under the same checks as Vouch's.
const SHARE_PATH = '/v1/test/share';

async function shareRoute(v1: FastifyInstance) {
  v1.post(
    SHARE_PATH,
    {
      config: { scope: 'events:write', publishable: true },
      schema: {
        body: { type: 'object', properties: { channel: { type: 'string' } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
      },
    },
    async () => ({ ok: true }),
  );
}

describe('publishable keys', () => {
  let t: TestApp;
  let publishable: string;
  let reader: string;
  let backend: string;
  beforeAll(async () => {
    t = await createTestApp({}, { extraV1Routes: shareRoute });
    const key = (scopes: string[], isPublishable = false) =>
      t.store.transaction((trx) =>
        createApiKey(trx, 'k', new Date(), { scopes, publishable: isPublishable }),
      );
    publishable = (await key([], true)).plaintext;
    reader = (await key(['read'])).plaintext;
    backend = (await key(['events:write'])).plaintext;
  });
  afterAll(() => t.close());

  const call = (key: string, method: 'GET' | 'POST', url: string) =>
    t.api(method, url, method === 'POST' ? {} : undefined, { authorization: `Bearer ${key}` });

  it('begin with pk_', () => {
    expect(publishable).toMatch(/^pk_[A-Za-z0-9]{32}$/);
  });

  it('call a route that declares itself publishable', async () => {
    const res = await call(publishable, 'POST', SHARE_PATH);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it('are refused on every other route with publishable_key_not_allowed', async () => {
    for (const [method, url] of [
      ['GET', '/v1/programs'],
      ['POST', '/v1/events'],
      ['POST', '/v1/programs'],
    ] as const) {
      const res = await call(publishable, method, url);

      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error).toEqual({
        type: 'permission_error',
        code: 'publishable_key_not_allowed',
        message: expect.stringMatching(/secret key/),
      });
    }
  });

  it('leave a publishable route to secret keys by its scope', async () => {
    expect((await call(backend, 'POST', SHARE_PATH)).status).toBe(200);
    expect((await call(t.key, 'POST', SHARE_PATH)).status).toBe(200);
    const refused = await call(reader, 'POST', SHARE_PATH);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('insufficient_scope');
  });

  it('are documented on the route: x-publishable and either key as its security', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = doc.paths[SHARE_PATH].post;
    expect(operation['x-required-scope']).toBe('events:write');
    expect(operation['x-publishable']).toBe(true);
    expect(operation.security).toEqual([{ secretKey: [] }, { publishableKey: [] }]);
    expect(operation.description).toMatch(/publishable key may call it too/);
    expect(doc.components.securitySchemes.publishableKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/programs'].get['x-publishable']).toBeUndefined();
  });
});

describe('buildApp', () => {
  it('refuses to start when a /v1 route declares no scope', async () => {
    const store = await createTestStore();
    try {
      const start = buildApp({
        store,
        config: loadConfig({ VOUCH_PUBLIC_URL: PUBLIC_URL }),
        secret: TEST_SECRET,
        logger: false,
        extraV1Routes: async (v1) => {
          v1.get(
            '/v1/test/forgotten',
            { schema: { response: { 200: { type: 'object' } } } },
            async () => ({}),
          );
        },
      });

      await expect(start).rejects.toThrow(/GET \/v1\/test\/forgotten declares no scope/);
    } finally {
      await store.drop();
    }
  });
});
