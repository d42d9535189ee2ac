import { describe, expect, it } from 'vitest';
import { event, programBody, unique } from '../support/factories.ts';
import { type Api, created, post, type Reply, ROUNDS, times, twoServers, usd } from '../support/races.ts';

// Rewards in kind delivered by requests that two `vouch serve` processes on one database answer at
// the same time: draws from one pool of codes, and a task completed while its reward is clawed back.
// Programs keep the default 30-day hold, so the servers' own maturation sweep approves nothing.

const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort((a, b) => a - b);

const servers = twoServers('pool-races');
const { api, race } = servers;

/** A program whose referrer reward is `referrer`, with a coupon pool named "@pool" in it. */
async function programWithPool(referrer: Record<string, unknown>, lowStock = 10) {
  const program = await created(
    api('POST', '/v1/programs', programBody({ rewards: { referrer: usd(1000) } })),
  );
  const pool = await created(
    api('POST', '/v1/reward_pools', {
      program_id: program.id,
      kind: 'coupon',
      name: 'Codes',
      low_stock_threshold: lowStock,
    }),
  );
  const rules = JSON.parse(JSON.stringify({ referrer }).replaceAll('"@pool"', `"${pool.id}"`));
  const patched = await api('PATCH', `/v1/programs/${program.id}`, { rewards: rules });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return { programId: program.id as string, poolId: pool.id as string };
}

/** `n` friends of one referrer each buy once: the referrer's reward ids, oldest first. */
async function referrals(programId: string, n: number): Promise<string[]> {
  const referrer = await created(
    api('POST', '/v1/participants', { program_id: programId, external_id: unique('referrer') }),
  );
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const friend = unique('friend');
    await created(
      api('POST', '/v1/events', event('signup', friend, { referral: { code: referrer.referral_code } })),
    );
    const purchase = await created(api('POST', '/v1/events', event('purchase', friend, usd(10_000))));
    expect(purchase.result.outcome).toBe('referral_qualified');
    ids.push(...purchase.result.reward_ids);
  }
  return ids;
}

const rewardNow = async (id: string) => (await api('GET', `/v1/rewards/${id}`)).body;

async function addCodes(poolId: string, codes: string[], send: Api = api) {
  const res = await send('POST', `/v1/reward_pools/${poolId}/codes`, { codes });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function outbox(topic: string, poolId: string) {
  const rows = await servers.store.db
    .selectFrom('outbox')
    .select('payload')
    .where('topic', '=', topic)
    .execute();
  return rows.map((r) => JSON.parse(r.payload)).filter((p) => p.pool_id === poolId);
}

describe('pools drawn from by two server processes racing on one database', () => {
  it('gives 5 codes to 5 of 8 rewards approved at once, once each, and the next upload to the 3 that waited', async () => {
    const { programId, poolId } = await programWithPool({ ...usd(1000), kind: 'coupon', pool_id: '@pool' });
    const codes = times(5, (i) => `RACE-${i}`);
    await addCodes(poolId, codes);
    const rewards = await referrals(programId, 8);

    const replies = await race(rewards.map((id) => post(`/v1/rewards/${id}/approve`)));

    expect(statuses(replies)).toEqual(times(8, () => 200));
    const after = await Promise.all(rewards.map(rewardNow));
    const issued = after.filter((r) => r.status === 'issued');
    const waiting = after.filter((r) => r.status === 'approved');
    expect(issued).toHaveLength(5);
    expect(issued.map((r) => r.code).sort()).toEqual(codes);
    expect(waiting.map((r) => r.code)).toEqual([null, null, null]);
    expect((await outbox('reward_pool.empty', poolId)).map((p) => p.reward_id).sort()).toEqual(
      waiting.map((r) => r.id).sort(),
    );
    expect((await api('GET', `/v1/reward_pools/${poolId}`)).body).toMatchObject({ available: 0, drawn: 5 });

    const upload = await addCodes(poolId, ['LATE-0', 'LATE-1', 'LATE-2', 'LATE-3']);

    const waited = waiting.map((r) => r.id).sort();
    expect(upload).toMatchObject({ added: 4, fulfilled: waited, pool: { available: 1, drawn: 8 } });
    expect(await Promise.all(waited.map(async (id) => (await rewardNow(id)).code))).toEqual([
      'LATE-0',
      'LATE-1',
      'LATE-2',
    ]);
  });

  // Concurrent draws each count what is left: only draws that take turns per pool see the
  // threshold exactly once (on PostgreSQL, where transactions interleave).
  it('raises reward_pool.low once when rewards approved at once draw the pool past its threshold', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { programId, poolId } = await programWithPool(
        { ...usd(1000), kind: 'coupon', pool_id: '@pool' },
        3,
      );
      await addCodes(
        poolId,
        times(8, (i) => `LOW-${i}`),
      );
      const rewards = await referrals(programId, 8);

      await race(
        rewards.map((id) => post(`/v1/rewards/${id}/approve`)),
        round,
      );

      expect(await outbox('reward_pool.low', poolId)).toEqual([
        { pool_id: poolId, program_id: programId, available: 3, threshold: 3 },
      ]);
    }
  });

  // A lost wake-up, if approvals and uploads did not take turns per pool: the approval's draw
  // would miss the uploaded codes, and the upload would miss the approved reward waiting.
  it('gives a code to a reward approved while the codes it needs are being uploaded', async () => {
    for (let round = 0; round < ROUNDS * 4; round++) {
      const { programId, poolId } = await programWithPool({
        ...usd(1000),
        kind: 'coupon',
        pool_id: '@pool',
      });
      const [reward] = (await referrals(programId, 1)) as [string];

      const replies = await race(
        [
          post(`/v1/rewards/${reward}/approve`),
          post(`/v1/reward_pools/${poolId}/codes`, { codes: ['ONLY-1'] }),
        ],
        round,
      );

      expect(statuses(replies)).toEqual([200, 200]);
      expect(await rewardNow(reward)).toMatchObject({ status: 'issued', code: 'ONLY-1' });
    }
  });
});

describe('a task completed while its reward is clawed back', () => {
  it('lets one of them win: the reward is issued then reversed whole, or reversed and the task canceled', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < ROUNDS * 2; round++) {
      const program = await created(
        api(
          'POST',
          '/v1/programs',
          programBody({ rewards: { referrer: { ...usd(5000), kind: 'custom', description: 'A hamper' } } }),
        ),
      );
      const [reward] = (await referrals(program.id, 1)) as [string];
      expect((await api('POST', `/v1/rewards/${reward}/approve`)).body.status).toBe('approved');
      const [task] = (await api('GET', `/v1/fulfilment_tasks?reward_id=${reward}`)).body.data;

      const [completed, reversed] = (await race(
        [
          post(`/v1/fulfilment_tasks/${task.id}/complete`, { code: 'HAMPER-1' }),
          post(`/v1/rewards/${reward}/reverse`, { reason: 'fraud' }),
        ],
        round,
      )) as [Reply, Reply];

      expect(reversed.status, JSON.stringify(reversed.body)).toBe(200);
      expect(await rewardNow(reward)).toMatchObject({ status: 'reversed', reversed_amount: 5000 });
      const taskNow = (await api('GET', `/v1/fulfilment_tasks/${task.id}`)).body;
      const issued = await servers.store.db
        .selectFrom('audit_log')
        .select('action')
        .where('subject_id', '=', reward)
        .where('action', '=', 'reward.issued')
        .execute();
      if (completed.status === 200) {
        outcomes.add('completed first');
        expect(taskNow.status).toBe('done');
        expect(issued).toHaveLength(1);
        expect((await rewardNow(reward)).code).toBe('HAMPER-1');
      } else {
        outcomes.add('reversed first');
        expect(completed).toMatchObject({ status: 409, body: { error: { code: 'task_not_open' } } });
        expect(taskNow.status).toBe('canceled');
        expect(issued).toEqual([]);
      }
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });
});
