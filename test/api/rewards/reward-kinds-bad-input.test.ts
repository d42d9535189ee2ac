import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/lib/errors.ts';
import { verifyLedger } from '../../../src/services/ledger/verify-ledger.ts';
import { event, programBody, unique } from '../../support/factories.ts';
import { approve, kindProgram, pts, referAndBuy, tasksOf, usd } from '../../support/kind-fixtures.ts';
import {
  expectRefused,
  ids,
  type Method,
  send,
  t,
  useRewardFixtures,
} from '../../support/reward-fixtures.ts';
import { countRows } from '../../support/tables.ts';

// Bad reward-kind rules, and bad input to the pool, task and redeem routes: every refusal has the
// documented status, code and param and writes nothing; Idempotency-Key replays those writes.

useRewardFixtures();
afterEach(async () => {
  expect((await verifyLedger(t.store.db)).problems).toEqual([]);
});

beforeAll(async () => {
  const kinds = await kindProgram(t, { referrer: usd(1000) });
  ids.kinds = kinds.program.id;
  ids.couponPool = kinds.pools.coupon;
  ids.giftPool = kinds.pools.gift_card;
  ids.otherPool = (await kindProgram(t, { referrer: usd(1000) })).pools.coupon;
  // A custom reward waiting for its task, and a credit reward issued.
  const patched = await t.api('PATCH', `/v1/programs/${ids.kinds}`, {
    rewards: {
      referrer: { ...usd(5000), kind: 'custom', description: 'A hamper' },
      referee: { ...usd(1000), kind: 'credit' },
    },
  });
  expect(patched.status).toBe(200);
  const { rewards } = await referAndBuy(t, ids.kinds as string);
  for (const reward of rewards) await approve(t, reward.id);
  ids.custom = rewards[0].id;
  ids.credit = rewards[1].id;
  ids.task = (await tasksOf(t, `reward_id=${ids.custom}`))[0].id;
});

type Spec = Record<string, unknown>;
const coupon = (extra: Spec = {}) => ({ ...usd(1000), kind: 'coupon', ...extra });

describe('reward kinds in program rules', () => {
  const at = 'rewards.referrer';
  // [case, rewards.referrer, code, param]; each is sent on create and as a PATCH of a program with pools.
  const rows: [string, Spec, ErrorCode, string][] = [
    ['an unknown kind', { ...usd(1000), kind: 'voucher' }, 'invalid_value', `${at}.kind`],
    [
      'an unknown accounting class',
      { ...usd(1000), accounting_class: 'opex' },
      'invalid_value',
      `${at}.accounting_class`,
    ],
    ['cash from a pool', { ...usd(1000), pool_id: '{couponPool}' }, 'invalid_value', `${at}.pool_id`],
    [
      'cash with a code pattern',
      { ...usd(1000), code_pattern: 'A-{8}' },
      'invalid_value',
      `${at}.code_pattern`,
    ],
    ['cash with a description', { ...usd(1000), description: 'x' }, 'invalid_value', `${at}.description`],
    [
      'cash exclusive of loyalty',
      { ...usd(1000), kind: 'cash', exclusive_of_loyalty: true },
      'invalid_value',
      `${at}.exclusive_of_loyalty`,
    ],
    [
      'credit with a description',
      { ...usd(1000), kind: 'credit', description: 'x' },
      'invalid_value',
      `${at}.description`,
    ],
    [
      'credit exclusive of loyalty',
      { ...usd(1000), kind: 'credit', exclusive_of_loyalty: true },
      'invalid_value',
      `${at}.exclusive_of_loyalty`,
    ],
    [
      'points from a pool',
      { ...pts(10), kind: 'points', pool_id: '{couponPool}' },
      'invalid_value',
      `${at}.pool_id`,
    ],
    [
      'points with a description',
      { ...pts(10), kind: 'points', description: 'x' },
      'invalid_value',
      `${at}.description`,
    ],
    ['a coupon with a description', coupon({ description: 'x' }), 'invalid_value', `${at}.description`],
    [
      'a coupon exclusive of loyalty',
      coupon({ code_pattern: 'A-{8}', exclusive_of_loyalty: true }),
      'invalid_value',
      `${at}.exclusive_of_loyalty`,
    ],
    [
      'a gift card with a code pattern',
      { ...usd(1000), kind: 'gift_card', code_pattern: 'A-{8}' },
      'invalid_value',
      `${at}.code_pattern`,
    ],
    [
      'a custom reward from a pool',
      { ...usd(1000), kind: 'custom', pool_id: '{couponPool}' },
      'invalid_value',
      `${at}.pool_id`,
    ],
    [
      'a custom reward with a code pattern',
      { ...usd(1000), kind: 'custom', code_pattern: 'A-{8}' },
      'invalid_value',
      `${at}.code_pattern`,
    ],
    ['a coupon without pool or pattern', coupon(), 'missing_field', `${at}.pool_id`],
    [
      'a gift card without pool or description',
      { ...usd(1000), kind: 'gift_card' },
      'missing_field',
      `${at}.pool_id`,
    ],
    [
      'a custom reward without description',
      { ...usd(1000), kind: 'custom' },
      'missing_field',
      `${at}.description`,
    ],
    [
      'a coupon with both pool and pattern',
      coupon({ pool_id: '{couponPool}', code_pattern: 'A-{8}' }),
      'invalid_value',
      `${at}.code_pattern`,
    ],
    [
      'a gift card with both pool and description',
      { ...usd(1000), kind: 'gift_card', pool_id: '{giftPool}', description: 'x' },
      'invalid_value',
      `${at}.description`,
    ],
    ['points in USD', { ...usd(10), kind: 'points' }, 'invalid_value', `${at}.currency`],
    ['credit in PTS', { ...pts(10), kind: 'credit' }, 'invalid_value', `${at}.currency`],
    ['cash said so in PTS', { ...pts(10), kind: 'cash' }, 'invalid_value', `${at}.currency`],
    [
      'a coupon in PTS',
      { ...pts(10), kind: 'coupon', code_pattern: 'A-{8}' },
      'invalid_value',
      `${at}.currency`,
    ],
    [
      'a pooled coupon as a share',
      { basis_points: 1000, currency: 'USD', kind: 'coupon', pool_id: '{couponPool}' },
      'invalid_value',
      `${at}.basis_points`,
    ],
    [
      'a custom reward as a share',
      { basis_points: 1000, currency: 'USD', kind: 'custom', description: 'x' },
      'invalid_value',
      `${at}.basis_points`,
    ],
    [
      'a gift card as a share',
      { basis_points: 1000, currency: 'USD', kind: 'gift_card', description: 'x' },
      'invalid_value',
      `${at}.basis_points`,
    ],
    ['a pattern without {N}', coupon({ code_pattern: 'FRIEND' }), 'invalid_format', `${at}.code_pattern`],
    [
      'a pattern of 5 characters',
      coupon({ code_pattern: 'FRIEND-{5}' }),
      'invalid_format',
      `${at}.code_pattern`,
    ],
    [
      'a pattern of 21 characters',
      coupon({ code_pattern: 'FRIEND-{21}' }),
      'invalid_format',
      `${at}.code_pattern`,
    ],
    ['a lower-case pattern', coupon({ code_pattern: 'friend-{8}' }), 'invalid_format', `${at}.code_pattern`],
    ['a pattern with two {N}', coupon({ code_pattern: 'A{8}B{8}' }), 'invalid_format', `${at}.code_pattern`],
    [
      'a pattern with a space',
      coupon({ code_pattern: 'MY CODE-{8}' }),
      'invalid_format',
      `${at}.code_pattern`,
    ],
    [
      'a pattern of 81 characters',
      coupon({ code_pattern: `${'A'.repeat(78)}{8}` }),
      'invalid_length',
      `${at}.code_pattern`,
    ],
    [
      'an empty description',
      { ...usd(1000), kind: 'custom', description: '' },
      'invalid_length',
      `${at}.description`,
    ],
    [
      'a description of 501 characters',
      { ...usd(1000), kind: 'custom', description: 'x'.repeat(501) },
      'invalid_length',
      `${at}.description`,
    ],
    [
      'exclusive_of_loyalty as a string',
      { ...pts(10), kind: 'points', exclusive_of_loyalty: 'yes' },
      'invalid_type',
      `${at}.exclusive_of_loyalty`,
    ],
    ["another program's pool", coupon({ pool_id: '{otherPool}' }), 'invalid_value', `${at}.pool_id`],
    ['a gift-card pool for a coupon', coupon({ pool_id: '{giftPool}' }), 'invalid_value', `${at}.pool_id`],
    [
      'a coupon pool for a gift card',
      { ...usd(1000), kind: 'gift_card', pool_id: '{couponPool}' },
      'invalid_value',
      `${at}.pool_id`,
    ],
    ['a pool that does not exist', coupon({ pool_id: 'rpl_missing' }), 'invalid_value', `${at}.pool_id`],
    [
      'points as a share of the order',
      { basis_points: 100, currency: 'PTS', kind: 'points' },
      'invalid_value',
      `${at}.basis_points`,
    ],
  ];

  it.each(rows)('refuses %s on create', async (_case, referrer, code, param) => {
    const body = programBody({ rewards: { referrer } });
    await expectRefused(() => send('POST', '/v1/programs', body), 400, code, param);
  });

  it.each(rows)('refuses %s in a PATCH, keeping the rules', async (_case, referrer, code, param) => {
    const before = (await t.api('GET', `/v1/programs/${ids.kinds}`)).body;
    await expectRefused(
      () => send('PATCH', '/v1/programs/{kinds}', { rewards: { referrer } }),
      400,
      code,
      param,
    );
    expect((await t.api('GET', `/v1/programs/${ids.kinds}`)).body).toEqual(before);
  });

  it.each([
    [
      'a tier drawing from a pool of another program',
      {
        referrer: usd(1000),
        referrer_tiers: [{ from_referral: 3, reward: coupon({ pool_id: '{otherPool}' }) }],
      },
      'invalid_value',
      'rewards.referrer_tiers.0.reward.pool_id',
    ],
    [
      'a milestone drawing from a pool of the wrong kind',
      { referrer: usd(1000), milestones: [{ at_referral: 5, reward: coupon({ pool_id: '{giftPool}' }) }] },
      'invalid_value',
      'rewards.milestones.0.reward.pool_id',
    ],
    [
      'a custom milestone without description',
      { referrer: usd(1000), milestones: [{ at_referral: 5, reward: { ...usd(1000), kind: 'custom' } }] },
      'missing_field',
      'rewards.milestones.0.reward.description',
    ],
    [
      'referee credit with a pool',
      { referee: { ...usd(1000), kind: 'credit', pool_id: '{couponPool}' } },
      'invalid_value',
      'rewards.referee.pool_id',
    ],
    // The order's loyalty points are the buyer's: on the referrer's side the option would do nothing.
    [
      "the referrer's points exclusive of loyalty points",
      { referrer: { ...pts(500), kind: 'points', exclusive_of_loyalty: true } },
      'invalid_value',
      'rewards.referrer.exclusive_of_loyalty',
    ],
    [
      "the referrer's points with exclusive_of_loyalty false",
      { referrer: { ...pts(500), kind: 'points', exclusive_of_loyalty: false } },
      'invalid_value',
      'rewards.referrer.exclusive_of_loyalty',
    ],
    [
      'a points tier exclusive of loyalty points',
      {
        referrer: usd(1000),
        referrer_tiers: [
          { from_referral: 2, reward: { ...pts(500), kind: 'points', exclusive_of_loyalty: true } },
        ],
      },
      'invalid_value',
      'rewards.referrer_tiers.0.reward.exclusive_of_loyalty',
    ],
    [
      'a points milestone exclusive of loyalty points',
      {
        referrer: usd(1000),
        milestones: [{ at_referral: 3, reward: { ...pts(500), kind: 'points', exclusive_of_loyalty: true } }],
      },
      'invalid_value',
      'rewards.milestones.0.reward.exclusive_of_loyalty',
    ],
  ] as [string, Spec, ErrorCode, string][])('refuses %s', async (_case, rewards, code, param) => {
    await expectRefused(() => send('PATCH', '/v1/programs/{kinds}', { rewards }), 400, code, param);
  });
});

describe('loyalty points on events', () => {
  it.each([
    ['on a sign-up', 'signup', 10, 'invalid_value'],
    ['on a refund', 'refund', 10, 'invalid_value'],
    ['negative', 'purchase', -1, 'amount_negative'],
    ['fractional', 'purchase', 1.5, 'invalid_type'],
    ['as a string', 'purchase', '10', 'invalid_type'],
  ] as const)('refuses loyalty_points %s', async (_case, type, points, code) => {
    const extra =
      type === 'signup'
        ? {}
        : { ...usd(100), ...(type === 'refund' ? { purchase_external_id: ids.order } : {}) };
    const body = { ...event(type, unique('buyer'), extra), loyalty_points: points };
    await expectRefused(() => send('POST', '/v1/events', body), 400, code, 'loyalty_points');
  });
});

describe('pool routes', () => {
  const pool = (extra: Spec) => ({ program_id: '{kinds}', kind: 'coupon', name: 'Spring', ...extra });

  it.each([
    ['an unknown program', pool({ program_id: 'prg_missing' }), 404, 'resource_missing', 'program_id'],
    ['a kind that has no pools', pool({ kind: 'credit' }), 400, 'invalid_value', 'kind'],
    ['a blank name', pool({ name: '   ' }), 400, 'invalid_value', 'name'],
    ['an empty name', pool({ name: '' }), 400, 'invalid_length', 'name'],
    ['no name', { program_id: '{kinds}', kind: 'coupon' }, 400, 'missing_field', 'name'],
    [
      'a negative threshold',
      pool({ low_stock_threshold: -1 }),
      400,
      'value_too_small',
      'low_stock_threshold',
    ],
    [
      'a fractional threshold',
      pool({ low_stock_threshold: 1.5 }),
      400,
      'invalid_type',
      'low_stock_threshold',
    ],
    ['an unknown field', pool({ codes: ['A'] }), 400, 'unknown_field', 'codes'],
  ] as [string, Spec, number, ErrorCode, string][])(
    'refuses a pool with %s',
    async (_case, body, status, code, param) => {
      await expectRefused(() => send('POST', '/v1/reward_pools', body), status, code, param);
    },
  );

  it('answers 404 for a pool that does not exist', async () => {
    await expectRefused(() => send('GET', '/v1/reward_pools/rpl_missing'), 404, 'resource_missing');
    await expectRefused(
      () => send('POST', '/v1/reward_pools/rpl_missing/codes', { codes: ['A-1'] }),
      404,
      'resource_missing',
    );
  });

  it.each([
    ['no codes field', {}, 'missing_field', 'codes'],
    ['an empty list', { codes: [] }, 'invalid_value', 'codes'],
    ['a string instead of a list', { codes: 'A-1' }, 'invalid_type', 'codes'],
    // One-letter codes, so that 10,001 of them fit in the body limit.
    ['10,001 codes', { codes: Array.from({ length: 10_001 }, () => 'A') }, 'invalid_value', 'codes'],
    ['a number', { codes: ['A-1', 7] }, 'invalid_type', 'codes.1'],
    ['an empty code', { codes: ['A-1', ''] }, 'invalid_length', 'codes.1'],
    ['a code of 129 characters', { codes: ['A-1', 'X'.repeat(129)] }, 'invalid_length', 'codes.1'],
    ['a code of spaces', { codes: ['A-1', 'B-2', '   '] }, 'invalid_code', 'codes.2'],
    ['a code with a space', { codes: ['A-1', 'SAVE 10'] }, 'invalid_code', 'codes.1'],
    ['a code with a tab', { codes: ['SAVE\t10'] }, 'invalid_code', 'codes.0'],
    ['a repeated code before a bad one', { codes: ['A-1', 'A-1', 'B 2'] }, 'invalid_code', 'codes.2'],
  ] as [string, Spec, ErrorCode, string][])(
    'refuses codes with %s, adding none',
    async (_case, body, code, param) => {
      await expectRefused(() => send('POST', '/v1/reward_pools/{couponPool}/codes', body), 400, code, param);
    },
  );
});

describe('pool uploads at the documented maximum', () => {
  // The route takes a larger body than the others' 64 KiB: 10,000 codes of 128 characters fit.
  it('accepts 10,000 gift-card codes of 16 characters in one upload', async () => {
    const codes = Array.from({ length: 10_000 }, (_, i) => `GIFT${String(i).padStart(12, '0')}`);
    const pool = await t.api('POST', '/v1/reward_pools', {
      program_id: ids.kinds,
      kind: 'gift_card',
      name: 'Bulk',
    });
    const res = await t.api('POST', `/v1/reward_pools/${pool.body.id}/codes`, { codes });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body).toMatchObject({ added: 10_000, skipped: 0 });
  });
});

describe('task routes', () => {
  it('answers 404 for a task that does not exist', async () => {
    await expectRefused(() => send('GET', '/v1/fulfilment_tasks/tsk_missing'), 404, 'resource_missing');
    await expectRefused(
      () => send('POST', '/v1/fulfilment_tasks/tsk_missing/complete', {}),
      404,
      'resource_missing',
    );
  });

  it.each([
    ['an empty note', { note: '' }, 'invalid_length', 'note'],
    ['a code as a number', { code: 5 }, 'invalid_type', 'code'],
    ['a reference of 256 characters', { reference: 'r'.repeat(256) }, 'invalid_length', 'reference'],
    ['an unknown field', { status: 'done' }, 'unknown_field', 'status'],
  ] as [string, Spec, ErrorCode, string][])(
    'refuses a completion with %s, leaving the task open',
    async (_case, body, code, param) => {
      await expectRefused(() => send('POST', '/v1/fulfilment_tasks/{task}/complete', body), 400, code, param);
      expect((await t.api('GET', `/v1/fulfilment_tasks/${ids.task}`)).body.status).toBe('open');
    },
  );

  it.each([
    ['an unknown status', 'status=closed', 'invalid_value', 'status'],
    ['an unknown filter', 'kind=custom', 'unknown_field', 'kind'],
  ] as [string, string, ErrorCode, string][])(
    'refuses a task list with %s',
    async (_case, query, code, param) => {
      await expectRefused(() => send('GET', `/v1/fulfilment_tasks?${query}`), 400, code, param);
    },
  );
});

describe('redeem and reverse', () => {
  it.each([
    ['an empty reference', { reference: '' }, 'invalid_length', 'reference'],
    ['a reference as a number', { reference: 12 }, 'invalid_type', 'reference'],
    ['an unknown field', { amount: 100 }, 'unknown_field', 'amount'],
  ] as [string, Spec, ErrorCode, string][])(
    'refuses a redemption with %s',
    async (_case, body, code, param) => {
      await expectRefused(() => send('POST', '/v1/rewards/{credit}/redeem', body), 400, code, param);
    },
  );

  it.each([
    ['a reward that does not exist', '/v1/rewards/rwd_missing/redeem', 404, 'resource_missing'],
    ['cash', '/v1/rewards/{reward}/redeem', 422, 'reward_not_redeemable'],
    ['a custom reward', '/v1/rewards/{custom}/redeem', 422, 'reward_not_redeemable'],
  ] as [string, string, number, ErrorCode][])('refuses to redeem %s', async (_case, url, status, code) => {
    await expectRefused(() => send('POST', url), status, code);
  });

  it('refuses a partial clawback of a custom reward, keeping its task open', async () => {
    await expectRefused(
      () => send('POST', '/v1/rewards/{custom}/reverse', { amount: 100, reason: 'fraud' }),
      422,
      'reward_not_divisible',
      'amount',
    );
    expect((await t.api('GET', `/v1/fulfilment_tasks/${ids.task}`)).body.status).toBe('open');
  });
});

describe('Idempotency-Key', () => {
  const withKey = () => ({ 'idempotency-key': unique('key') });

  async function expectReplayed(method: Method, url: string, body: unknown, other: unknown) {
    const headers = withKey();
    const first = await send(method, url, body, headers);
    expect(first.status, JSON.stringify(first.body)).toBeLessThan(300);
    const after = await countRows(t.store.db);
    const replay = await send(method, url, body, headers);
    expect(replay).toMatchObject({ status: first.status, body: first.body });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    await expectRefused(
      () => send(method, url, other, headers),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    expect(await countRows(t.store.db)).toEqual(after);
    return first;
  }

  it('replays an upload of codes, adding them once', async () => {
    const first = await expectReplayed(
      'POST',
      '/v1/reward_pools/{giftPool}/codes',
      { codes: ['IDEM-1', 'IDEM-2'] },
      { codes: ['IDEM-3'] },
    );
    expect(first.body).toMatchObject({ added: 2, skipped: 0, pool: { available: 2 } });
  });

  it('replays a task completion instead of answering task_not_open', async () => {
    const { rewards } = await referAndBuy(t, ids.kinds as string);
    await approve(t, rewards[0].id);
    const [task] = await tasksOf(t, `reward_id=${rewards[0].id}`);

    const first = await expectReplayed(
      'POST',
      `/v1/fulfilment_tasks/${task.id}/complete`,
      { note: 'Sent' },
      { note: 'Sent twice' },
    );

    expect(first.body).toMatchObject({ status: 'done', note: 'Sent' });
  });

  it('replays a redemption instead of answering reward_not_issued', async () => {
    const { rewards } = await referAndBuy(t, ids.kinds as string);
    await approve(t, rewards[1].id);

    const first = await expectReplayed(
      'POST',
      `/v1/rewards/${rewards[1].id}/redeem`,
      { reference: 'pos-1' },
      { reference: 'pos-2' },
    );

    expect(first.body).toMatchObject({ status: 'redeemed' });
  });
});
