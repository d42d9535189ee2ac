import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../../../src/services/ledger/verify-ledger.ts';
import { unique } from '../../support/factories.ts';
import {
  expectRefused,
  ids,
  payableProgram,
  qualifiedOrder,
  send,
  t,
  useRewardFixtures,
} from '../../support/reward-fixtures.ts';
import { countRows } from '../../support/tables.ts';

// Idempotency-Key on reversals, approvals and payout runs: the same key and body replays, another
// body or route is refused, and a refused request stores nothing. Then the ledger is still whole.

useRewardFixtures();

describe('Idempotency-Key', () => {
  const withKey = (key: string) => ({ 'idempotency-key': key });
  const rewardOf = async (id: string) => (await t.api('GET', `/v1/rewards/${id}`)).body;

  it('replays a reversal for the same key and body, reversing once, and refuses another body', async () => {
    const { rewards } = await qualifiedOrder();
    const url = `/v1/rewards/${rewards[0]}/reverse`;
    const key = unique('key');

    const first = await send('POST', url, { amount: 100, reason: 'fraud' }, withKey(key));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ reversed_amount: 100, status: 'pending' });
    const after = await countRows(t.store.db);

    const other = await expectRefused(
      () => send('POST', url, { amount: 200, reason: 'fraud' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    const replay = await send('POST', url, { reason: 'fraud', amount: 100 }, withKey(key));

    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await countRows(t.store.db)).toEqual(after);
    expect(await rewardOf(rewards[0])).toMatchObject({ reversed_amount: 100 });
  });

  it('replays a full reversal instead of answering reward_already_reversed', async () => {
    const { rewards } = await qualifiedOrder();
    const url = `/v1/rewards/${rewards[1]}/reverse`;
    const key = unique('key');
    const first = await send('POST', url, { reason: 'duplicate' }, withKey(key));
    const after = await countRows(t.store.db);

    const replay = await send('POST', url, { reason: 'duplicate' }, withKey(key));

    expect(first.body).toMatchObject({ status: 'reversed', reversed_amount: 500 });
    expect(replay).toMatchObject({ status: 200, body: first.body });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await countRows(t.store.db)).toEqual(after);
  });

  it('replays a payout run for the same key and body, opening one run, and refuses another body', async () => {
    const { program } = await payableProgram();
    const key = unique('key');

    const first = await send('POST', '/v1/payouts', { program_id: program, currency: 'USD' }, withKey(key));
    expect(first.status).toBe(201);
    const after = await countRows(t.store.db);

    await expectRefused(
      () => send('POST', '/v1/payouts', { program_id: program, currency: 'EUR' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    await expectRefused(
      () => send('POST', '/v1/payouts', { program_id: ids.payable, currency: 'USD' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    const replay = await send('POST', '/v1/payouts', { currency: 'USD', program_id: program }, withKey(key));

    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await countRows(t.store.db)).toEqual(after);
    const { data } = (await t.api('GET', `/v1/payouts?program_id=${program}`)).body;
    expect(data.map((p: { id: string }) => p.id)).toEqual([first.body.id]);
  });

  it('refuses a key used on one route when it comes back on another', async () => {
    const { rewards } = await qualifiedOrder();
    const key = unique('key');
    await send('POST', `/v1/rewards/${rewards[0]}/approve`, undefined, withKey(key));

    await expectRefused(
      () => send('POST', `/v1/rewards/${rewards[0]}/reverse`, { reason: 'fraud' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    await expectRefused(
      () => send('POST', `/v1/rewards/${rewards[1]}/approve`, undefined, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    expect(await rewardOf(rewards[0])).toMatchObject({ status: 'approved', reversed_amount: 0 });
    expect(await rewardOf(rewards[1])).toMatchObject({ status: 'pending' });
  });

  it('stores nothing for a refused request, so the corrected one can reuse its key', async () => {
    const { rewards } = await qualifiedOrder();
    const url = `/v1/rewards/${rewards[0]}/reverse`;
    const key = unique('key');

    await expectRefused(
      () => send('POST', url, { amount: 5000, reason: 'fraud' }, withKey(key)),
      422,
      'amount_exceeds_reward',
      'amount',
    );
    await expectRefused(
      () => send('POST', url, { amount: '50', reason: 'fraud' }, withKey(key)),
      400,
      'invalid_type',
      'amount',
    );
    const corrected = await send('POST', url, { amount: 50, reason: 'fraud' }, withKey(key));

    expect(corrected.status).toBe(200);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    expect(corrected.body.reversed_amount).toBe(50);
  });

  it('refuses a key over 255 characters, and writes nothing', async () => {
    await expectRefused(
      () =>
        send('POST', '/v1/payouts', { program_id: '{payable}', currency: 'USD' }, withKey('k'.repeat(256))),
      400,
      'invalid_value',
      'Idempotency-Key',
    );
  });
});

describe('after all the refusals', () => {
  it('leaves the ledger whole', async () => {
    expect((await verifyLedger(t.store.db)).problems).toEqual([]);
  });
});
