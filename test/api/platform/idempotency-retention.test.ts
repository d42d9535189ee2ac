import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/lib/config.ts';
import { deleteExpiredResponses } from '../../../src/worker/idempotency-expiry.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram, programBody, unique } from '../../support/factories.ts';
import { approve, coupon, referAndBuy, tasksOf, usd } from '../../support/kind-fixtures.ts';

// What a stored Idempotency-Key response keeps, and for how long.

let t: TestApp;
let programId: string;
beforeAll(async () => {
  t = await createTestApp();
  programId = (await makeProgram(t)).id;
});
afterAll(() => t.close());

const HOUR = 3_600_000;

const post = (url: string, body: unknown, key: string) =>
  t.api('POST', url, body, { 'idempotency-key': key });

const storedText = async (key: string) => {
  const row = await t.store.db
    .selectFrom('idempotency_keys')
    .select('response_body')
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  return row.response_body;
};

describe('stored responses withhold secrets and emails', () => {
  it("keeps no webhook signing secret; a replay shows the endpoint's current one, none once deleted", async () => {
    const key = unique('key');
    const body = { url: 'https://hooks.example.com/vouch', events: ['referral.created'] };
    const created = await post('/v1/webhook_endpoints', body, key);
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(await storedText(key)).not.toContain(secret.slice(6));

    const replayed = await post('/v1/webhook_endpoints', body, key);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(created.body);

    const rotateKey = unique('key');
    const rotated = await post(`/v1/webhook_endpoints/${created.body.id}/rotate_secret`, {}, rotateKey);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(secret);
    expect(await storedText(rotateKey)).not.toContain(rotated.body.secret.slice(6));
    expect((await post('/v1/webhook_endpoints', body, key)).body.secret).toBe(rotated.body.secret);

    expect((await t.api('DELETE', `/v1/webhook_endpoints/${created.body.id}`)).status).toBe(200);
    const afterDelete = await post('/v1/webhook_endpoints', body, key);
    expect(afterDelete.status).toBe(201);
    expect(afterDelete.body.secret).toBeNull();
  });

  it('keeps no participant email; a replay reads it from the participant', async () => {
    const key = unique('key');
    const email = `${unique('ada')}@example.net`;
    const body = { program_id: programId, external_id: unique('user'), email };
    const created = await post('/v1/participants', body, key);
    expect(created.status).toBe(201);
    expect(await storedText(key)).not.toContain(email);
    const replayed = await post('/v1/participants', body, key);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(created.body);
  });

  it('keeps no invited email; a replay reads it from the invite', async () => {
    const referrer = await makeParticipant(t, programId);
    const key = unique('key');
    const email = `${unique('friend')}@example.org`;
    const body = { participant_id: referrer.id, email };
    const created = await post('/v1/invites', body, key);
    expect(created.status).toBe(201);
    expect(await storedText(key)).not.toContain(email);
    expect((await post('/v1/invites', body, key)).body).toEqual(created.body);
  });

  it("keeps no fulfilment task recipient's email; a replay reads it from the participant", async () => {
    const program = await makeProgram(t, {
      rewards: { referrer: { ...usd(5000), kind: 'custom', description: 'A hamper' } },
      reward_hold_days: 0,
    });
    const email = `${unique('hamper')}@example.com`;
    const referrer = await makeParticipant(t, program.id, { email });
    const { rewards } = await referAndBuy(t, program.id, { referrer });
    await approve(t, rewards[0].id);
    const [task] = await tasksOf(t, `reward_id=${rewards[0].id}`);
    const key = unique('key');
    const done = await post(`/v1/fulfilment_tasks/${task.id}/complete`, { note: 'sent' }, key);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.recipient.email).toBe(email);
    expect(await storedText(key)).not.toContain(email);
    expect((await post(`/v1/fulfilment_tasks/${task.id}/complete`, { note: 'sent' }, key)).body).toEqual(
      done.body,
    );
  });

  it("keeps no reward's coupon code; a replay reads it from the reward", async () => {
    const program = await makeProgram(t, {
      rewards: { referrer: coupon({ code_pattern: 'KEEP-{8}' }) },
      reward_hold_days: 0,
    });
    const { rewards } = await referAndBuy(t, program.id);
    await approve(t, rewards[0].id);
    const key = unique('key');
    const url = `/v1/rewards/${rewards[0].id}/redeem`;
    const redeemed = await post(url, { reference: 'order-1' }, key);
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body.code).toMatch(/^KEEP-/);
    expect(await storedText(key)).not.toContain(redeemed.body.code);
    const replayed = await post(url, { reference: 'order-1' }, key);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(redeemed.body);
  });
});

describe('stored responses expire', () => {
  it('replays a key within 24 hours and treats it as new after, even with another body', async () => {
    const key = unique('key');
    const start = new Date();
    t.setNow(start);
    try {
      const first = await post('/v1/programs', programBody({ name: unique('program') }), key);
      expect(first.status).toBe(201);

      t.setNow(new Date(start.getTime() + 24 * HOUR - 1000));
      const replayed = await post('/v1/programs', programBody({ name: 'other' }), key);
      expect(replayed.status).toBe(409);
      expect(replayed.body.error.code).toBe('idempotency_key_reused');

      t.setNow(new Date(start.getTime() + 24 * HOUR + 1000));
      const again = await post('/v1/programs', programBody({ name: 'other' }), key);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(again.body.id).not.toBe(first.body.id);
      // The expired record was replaced, not kept beside the new one.
      expect(await storedText(key)).toContain(again.body.id);
    } finally {
      t.setNow(null);
    }
  });

  it('deletes expired records in batches, oldest first, and nothing younger', async () => {
    const now = new Date('2030-06-01T12:00:00Z');
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR).toISOString();
    const prefix = unique('sweep');
    const rows = Array.from({ length: 2_500 }, (_, i) => ({
      api_key_id: prefix,
      key: `old-${i}`,
      request_hash: 'h',
      status_code: 201,
      response_body: '{}',
      created_at: at(25 + (i % 100)),
    }));
    rows.push({ ...rows[0], key: 'fresh', created_at: at(23) } as (typeof rows)[number]);
    for (let i = 0; i < rows.length; i += 500) {
      await t.store.db
        .insertInto('idempotency_keys')
        .values(rows.slice(i, i + 500))
        .execute();
    }
    const mine = () =>
      t.store.db.selectFrom('idempotency_keys').select('key').where('api_key_id', '=', prefix).execute();

    // Every other test's records are younger than a day before 2030: count only this test's rows.
    const deleted = await deleteExpiredResponses(t.store, now, 24);
    expect(deleted).toBeGreaterThanOrEqual(2_500);
    expect(await mine()).toEqual([{ key: 'fresh' }]);
    expect(await deleteExpiredResponses(t.store, now, 24)).toBe(0);
  });

  it('keeps responses longer when configured, never less than 24 hours', () => {
    expect(loadConfig({}).idempotencyKeyTtlHours).toBe(24);
    expect(loadConfig({ VOUCH_IDEMPOTENCY_KEY_TTL_HOURS: '72' }).idempotencyKeyTtlHours).toBe(72);
    expect(() => loadConfig({ VOUCH_IDEMPOTENCY_KEY_TTL_HOURS: '12' })).toThrow(ConfigError);
    expect(() => loadConfig({ VOUCH_IDEMPOTENCY_KEY_TTL_HOURS: '1.5' })).toThrow(
      /VOUCH_IDEMPOTENCY_KEY_TTL_HOURS/,
    );
  });

  it('replays a key for as long as the configured time', async () => {
    const long = await createTestApp({ VOUCH_IDEMPOTENCY_KEY_TTL_HOURS: '72' });
    try {
      const start = new Date();
      long.setNow(start);
      const body = programBody({ name: unique('program') });
      const headers = { 'idempotency-key': unique('key') };
      const first = await long.api('POST', '/v1/programs', body, headers);
      long.setNow(new Date(start.getTime() + 71 * HOUR));
      const replayed = await long.api('POST', '/v1/programs', body, headers);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.id).toBe(first.body.id);
    } finally {
      await long.close();
    }
  });
});
