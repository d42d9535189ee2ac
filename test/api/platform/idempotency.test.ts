import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/services/access/api-keys.ts';
import type { Database } from '../../../src/store/schema.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { event, makeProgram, programBody, unique } from '../../support/factories.ts';
import { countRows } from '../../support/tables.ts';

let t: TestApp;
let programId: string;
beforeAll(async () => {
  t = await createTestApp();
  programId = (await makeProgram(t)).id;
});
afterAll(() => t.close());

interface Endpoint {
  url: string;
  /** The table one successful request adds a row to. */
  table: keyof Database;
  /** A fresh valid body, different on each call. */
  body: () => Record<string, unknown>;
  /** The same request made invalid, and how it is refused. */
  invalid: (body: Record<string, unknown>) => Record<string, unknown>;
}

const endpoints: Endpoint[] = [
  {
    url: '/v1/programs',
    table: 'programs',
    body: () => programBody({ name: unique('program') }),
    invalid: (body) => ({ ...body, rewards: { referrer: { amount: 100, currency: 'ABC' } } }),
  },
  {
    url: '/v1/participants',
    table: 'participants',
    body: () => ({ program_id: programId, external_id: unique('user') }),
    invalid: (body) => ({ ...body, program_id: 'prg_missing' }),
  },
  {
    url: '/v1/events',
    table: 'events',
    body: () => event('signup', unique('customer')),
    invalid: (body) => ({ ...body, referral: { code: 'NO-SUCH-CODE' } }),
  },
];

const post = (url: string, body: unknown, key?: string, apiKey = t.key) =>
  t.api('POST', url, body, {
    authorization: `Bearer ${apiKey}`,
    ...(key === undefined ? {} : { 'idempotency-key': key }),
  });

const rows = async (table: keyof Database) => (await countRows(t.store.db))[table];

describe.each(endpoints)('Idempotency-Key on POST $url', ({ url, table, body, invalid }) => {
  it('replays the stored response for the same key and body, and creates one row', async () => {
    const key = unique('key');
    const sent = body();
    const before = await rows(table);

    const first = await post(url, sent, key);
    const second = await post(url, sent, key);

    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await rows(table)).toBe(before + 1);
  });

  it('treats the same fields in another order as the same request', async () => {
    const key = unique('key');
    const sent = body();
    const reordered = Object.fromEntries(Object.entries(sent).reverse());

    const first = await post(url, sent, key);
    const second = await post(url, reordered, key);

    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key with another body (409), and writes nothing', async () => {
    const key = unique('key');
    await post(url, body(), key);
    const before = await countRows(t.store.db);

    const res = await post(url, body(), key);

    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      type: 'conflict',
      code: 'idempotency_key_reused',
      param: 'Idempotency-Key',
    });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('keeps keys apart per API key', async () => {
    const { plaintext: otherKey } = await t.store.transaction((trx) =>
      createApiKey(trx, unique('second'), new Date()),
    );
    const key = unique('key');
    const mine = await post(url, body(), key);
    const before = await rows(table);

    const theirs = await post(url, body(), key, otherKey);

    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await rows(table)).toBe(before + 1);
  });

  it('answers five concurrent identical requests alike, with one row', async () => {
    const key = unique('key');
    const sent = body();
    const before = await rows(table);

    const replies = await Promise.all([1, 2, 3, 4, 5].map(() => post(url, sent, key)));

    for (const reply of replies) {
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual(replies[0]?.body);
    }
    expect(replies.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await rows(table)).toBe(before + 1);
  });

  it('does not spend the key on a request that failed', async () => {
    const key = unique('key');
    const sent = body();
    const refused = await post(url, invalid(sent), key);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);

    const retried = await post(url, sent, key);

    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('does not spend the key on a body that failed validation', async () => {
    const key = unique('key');
    const sent = body();
    const refused = await post(url, { ...sent, unexpected: true }, key);
    expect(refused.status).toBe(400);

    const retried = await post(url, sent, key);

    expect(retried.status).toBe(201);
  });
});

describe('Idempotency-Key values', () => {
  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['empty', ''],
  ])('refuses a key of %s with 400, and writes nothing', async (_case, key) => {
    const before = await countRows(t.store.db);

    const res = await post('/v1/programs', programBody(), key);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', param: 'Idempotency-Key' });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('accepts a key of 255 characters', async () => {
    const key = `${unique('k')}-`.padEnd(255, 'k');

    const first = await post('/v1/programs', programBody(), key);
    const second = await post('/v1/programs', programBody(), key);

    expect(first.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.id).toBe(first.body.id);
  });

  it('refuses a key reused on another endpoint', async () => {
    const key = unique('key');
    await post('/v1/programs', programBody(), key);

    const res = await post('/v1/events', event('signup', unique('customer')), key);

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('idempotency_key_reused');
  });

  it('creates a new row per request when no key is sent', async () => {
    const before = await rows('programs');

    await post('/v1/programs', programBody());
    await post('/v1/programs', programBody());

    expect(await rows('programs')).toBe(before + 2);
  });
});
