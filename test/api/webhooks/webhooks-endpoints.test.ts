import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEndpointSecret } from '../../../src/services/webhooks/endpoint-secrets.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { countRows } from '../../support/tables.ts';
import { DEV_ENV } from '../../support/webhook-harness.ts';

// Managing webhook endpoints: CRUD, validation and authentication (rotation has a file of its
// own). Production rules (https only, no private targets) unless an app allows private targets.

const HOUR = 3_600_000;

const endpoint = (overrides: Record<string, unknown> = {}) => ({
  url: 'https://hooks.example.com/vouch',
  events: ['participant.created'],
  ...overrides,
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** An endpoint as GET shows it: everything the create response had but the secret. */
const shown = ({ secret: _secret, ...rest }: Record<string, unknown>) => rest;

async function create(body: unknown = endpoint()) {
  const res = await t.api('POST', '/v1/webhook_endpoints', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('creating an endpoint', () => {
  it('answers 201 with the endpoint and its whsec_ signing secret', async () => {
    const res = await t.api('POST', '/v1/webhook_endpoints', {
      url: 'https://hooks.example.com/vouch?team=7',
      events: ['reward.created', 'participant.created', 'participant.created'],
      description: 'CRM sync',
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^whk_/),
      object: 'webhook_endpoint',
      url: 'https://hooks.example.com/vouch?team=7',
      description: 'CRM sync',
      // Stored once each, in order.
      events: ['participant.created', 'reward.created'],
      status: 'enabled',
      disabled_reason: null,
      failing_since: null,
      previous_secret_expires_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
    });
    // A secret the official library accepts.
    expect(() => new Webhook(res.body.secret)).not.toThrow();
  });

  it('accepts ["*"] for every event type', async () => {
    expect((await create(endpoint({ events: ['*'] }))).events).toEqual(['*']);
  });

  it('gives each endpoint a secret of its own', async () => {
    const [a, b] = [await create(), await create()];
    expect(a.secret).not.toBe(b.secret);
  });

  it('shows the secret only in the response that created it', async () => {
    const created = await create();

    const got = await t.api('GET', `/v1/webhook_endpoints/${created.id}`);
    const listed = await t.api('GET', '/v1/webhook_endpoints');

    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.body).not.toHaveProperty('previous_secret');
    expect(got.raw.body).not.toContain(created.secret);
    expect(got.body).toEqual(shown(created));
    expect(listed.status).toBe(200);
    expect(listed.raw.body).not.toContain('whsec_');
    expect(listed.body.data.find((e: { id: string }) => e.id === created.id)).toEqual(shown(created));
  });

  it('lists endpoints newest first', async () => {
    const older = await create();
    const newer = await create();
    const ids = (await t.api('GET', '/v1/webhook_endpoints?limit=100')).body.data.map(
      (e: { id: string }) => e.id,
    );
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
  });
});

describe('refusing a bad endpoint', () => {
  // [case, body, code, param]
  const rows: [string, unknown, string, string][] = [
    ['plain http', endpoint({ url: 'http://hooks.example.com/' }), 'invalid_url', 'url'],
    ['a user and password', endpoint({ url: 'https://me:pw@hooks.example.com/' }), 'invalid_url', 'url'],
    ['localhost', endpoint({ url: 'https://localhost:8443/' }), 'invalid_url', 'url'],
    ['IPv4 loopback', endpoint({ url: 'https://127.0.0.1/' }), 'invalid_url', 'url'],
    ['IPv4 loopback as a number', endpoint({ url: 'https://2130706433/' }), 'invalid_url', 'url'],
    ['IPv6 loopback', endpoint({ url: 'https://[::1]/' }), 'invalid_url', 'url'],
    ['IPv4-mapped loopback', endpoint({ url: 'https://[::ffff:127.0.0.1]/' }), 'invalid_url', 'url'],
    ['cloud metadata', endpoint({ url: 'https://169.254.169.254/latest' }), 'invalid_url', 'url'],
    ['a private network', endpoint({ url: 'https://192.168.0.10/' }), 'invalid_url', 'url'],
    ['not a URL', endpoint({ url: 'hooks.example.com' }), 'invalid_url', 'url'],
    ['ftp', endpoint({ url: 'ftp://hooks.example.com/' }), 'invalid_url', 'url'],
    ['an empty url', endpoint({ url: '' }), 'invalid_length', 'url'],
    [
      'a url too long',
      endpoint({ url: `https://hooks.example.com/${'a'.repeat(2030)}` }),
      'invalid_length',
      'url',
    ],
    ['no url', { events: ['*'] }, 'missing_field', 'url'],
    ['no events', { url: 'https://hooks.example.com/' }, 'missing_field', 'events'],
    ['no event in the list', endpoint({ events: [] }), 'invalid_value', 'events'],
    ['events not a list', endpoint({ events: 'participant.created' }), 'invalid_type', 'events'],
    ['an unknown event type', endpoint({ events: ['participant.made'] }), 'invalid_value', 'events.0'],
    [
      'an unknown event type second',
      endpoint({ events: ['participant.created', 'participant.*'] }),
      'invalid_value',
      'events.1',
    ],
    ['an empty event type', endpoint({ events: [''] }), 'invalid_length', 'events.0'],
    ['a description too long', endpoint({ description: 'x'.repeat(501) }), 'invalid_length', 'description'],
    ['a secret of its own', endpoint({ secret: 'whsec_mine' }), 'unknown_field', 'secret'],
    ['a status', endpoint({ status: 'disabled' }), 'unknown_field', 'status'],
  ];

  it.each(rows)('refuses %s with 400 %s at %s, and writes nothing', async (_, body, code, param) => {
    const before = await countRows(t.store.db);

    const res = await t.api('POST', '/v1/webhook_endpoints', body);

    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('names the unknown event type in the message', async () => {
    const res = await t.api('POST', '/v1/webhook_endpoints', endpoint({ events: ['payout.lost'] }));
    expect(res.body.error.message).toContain('payout.lost');
  });
});

describe('private targets in development', () => {
  let dev: TestApp;
  beforeAll(async () => {
    dev = await createTestApp(DEV_ENV);
  });
  afterAll(() => dev.close());

  it.each([
    'http://127.0.0.1:4000/hooks',
    'http://localhost:4000/hooks',
    'https://[::1]:4000/hooks',
    'http://192.168.1.20/hooks',
  ])('accepts %s when VOUCH_WEBHOOK_ALLOW_PRIVATE=true', async (url) => {
    const res = await dev.api('POST', '/v1/webhook_endpoints', endpoint({ url }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it.each([
    ['a user and password', 'http://me:pw@127.0.0.1:4000/'],
    ['ftp', 'ftp://127.0.0.1/'],
  ])('still refuses %s', async (_, url) => {
    const res = await dev.api('POST', '/v1/webhook_endpoints', endpoint({ url }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_url', param: 'url' });
  });
});

describe('changing an endpoint', () => {
  it('changes its url, events and description, and keeps its secret out of the answer', async () => {
    const created = await create(endpoint({ description: 'old' }));

    const res = await t.api('PATCH', `/v1/webhook_endpoints/${created.id}`, {
      url: 'https://other.example.com/in',
      events: ['referral.qualified', 'reward.approved'],
      description: null,
    });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      url: 'https://other.example.com/in',
      events: ['referral.qualified', 'reward.approved'],
      description: null,
      status: 'enabled',
    });
    expect(res.body).not.toHaveProperty('secret');
    expect((await t.api('GET', `/v1/webhook_endpoints/${created.id}`)).body).toEqual(res.body);
  });

  it('disables an endpoint by hand, and re-enabling it clears its failure record', async () => {
    const created = await create();
    await t.store.db
      .updateTable('webhook_endpoints')
      .set({ failing_since: new Date(Date.now() - HOUR).toISOString() })
      .where('id', '=', created.id)
      .execute();

    const disabled = await t.api('PATCH', `/v1/webhook_endpoints/${created.id}`, { status: 'disabled' });
    expect(disabled.body).toMatchObject({ status: 'disabled', disabled_reason: 'by_admin' });
    expect(disabled.body.failing_since).not.toBeNull();

    const enabled = await t.api('PATCH', `/v1/webhook_endpoints/${created.id}`, { status: 'enabled' });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ status: 'enabled', disabled_reason: null, failing_since: null });
    expect((await t.api('GET', `/v1/webhook_endpoints/${created.id}`)).body).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
      failing_since: null,
    });
  });

  // [case, patch, code, param]
  const rows: [string, unknown, string, string][] = [
    ['plain http', { url: 'http://hooks.example.com/' }, 'invalid_url', 'url'],
    ['a private address', { url: 'https://10.0.0.7/' }, 'invalid_url', 'url'],
    ['localhost', { url: 'https://localhost/' }, 'invalid_url', 'url'],
    ['credentials', { url: 'https://a:b@hooks.example.com/' }, 'invalid_url', 'url'],
    ['an unknown event type', { events: ['*', 'reward.lost'] }, 'invalid_value', 'events.1'],
    ['no event in the list', { events: [] }, 'invalid_value', 'events'],
    ['an unknown status', { status: 'paused' }, 'invalid_value', 'status'],
    ['a secret', { secret: 'whsec_mine' }, 'unknown_field', 'secret'],
  ];

  it.each(rows)('refuses %s with 400 %s at %s, and changes nothing', async (_, patch, code, param) => {
    const created = await create();
    const before = await countRows(t.store.db);

    const res = await t.api('PATCH', `/v1/webhook_endpoints/${created.id}`, patch);

    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
    expect((await t.api('GET', `/v1/webhook_endpoints/${created.id}`)).body).toEqual(shown(created));
  });

  it('answers 404 for an unknown endpoint', async () => {
    const res = await t.api('PATCH', '/v1/webhook_endpoints/whk_nope', { description: 'x' });
    expect(res.status).toBe(404);
  });
});

describe('deleting an endpoint', () => {
  it('answers with it disabled as deleted, then 404 everywhere but its delivery log, and drops it from the list', async () => {
    const created = await create();

    const res = await t.api('DELETE', `/v1/webhook_endpoints/${created.id}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, status: 'disabled', disabled_reason: 'deleted' });
    expect(res.body).not.toHaveProperty('secret');
    const path = `/v1/webhook_endpoints/${created.id}`;
    expect((await t.api('GET', path)).status).toBe(404);
    expect((await t.api('PATCH', path, { status: 'enabled' })).status).toBe(404);
    expect((await t.api('DELETE', path)).status).toBe(404);
    expect((await t.api('POST', `${path}/rotate_secret`, {})).status).toBe(404);
    expect((await t.api('GET', `${path}/deliveries`)).status).toBe(200);
    const listed = (await t.api('GET', '/v1/webhook_endpoints?limit=100')).body.data;
    expect(listed.map((e: { id: string }) => e.id)).not.toContain(created.id);
  });

  it('keeps the row (soft delete), secret (sealed) and all', async () => {
    const created = await create();
    await t.api('DELETE', `/v1/webhook_endpoints/${created.id}`);
    const row = await t.store.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect(row.secret).not.toContain(created.secret);
    expect(openEndpointSecret(t.store.keyring, created.id, row.secret)).toBe(created.secret);
  });
});

describe('authentication', () => {
  it.each([
    ['POST', '/v1/webhook_endpoints'],
    ['GET', '/v1/webhook_endpoints'],
    ['GET', '/v1/webhook_endpoints/whk_x'],
    ['PATCH', '/v1/webhook_endpoints/whk_x'],
    ['DELETE', '/v1/webhook_endpoints/whk_x'],
    ['POST', '/v1/webhook_endpoints/whk_x/rotate_secret'],
    ['GET', '/v1/webhook_endpoints/whk_x/deliveries'],
    ['POST', '/v1/webhook_deliveries/dlv_x/replay'],
  ] as const)('%s %s answers 401 without an API key', async (method, url) => {
    const res = await t.app.inject({ method, url });
    expect(res.statusCode).toBe(401);
  });

  it('answers 401 to a wrong key and writes nothing', async () => {
    const before = await countRows(t.store.db);
    const res = await t.api('POST', '/v1/webhook_endpoints', endpoint(), {
      authorization: 'Bearer sk_notakeynotakeynotakeynotakey',
    });
    expect(res.status).toBe(401);
    expect(await countRows(t.store.db)).toEqual(before);
  });
});
