import { afterAll, beforeAll, expect } from 'vitest';
import { type ErrorCode, errorType } from '../../src/lib/errors.ts';
import { createApiKey, revokeApiKey } from '../../src/services/access/api-keys.ts';
import { createTestApp, type Reply, type TestApp } from './app.ts';
import { event, makeParticipant, makeProgram, unique } from './factories.ts';
import { countRows } from './tables.ts';

// Shared by the test/api/rewards/reward-bad-input-*.test.ts files: bad input to the reward, payout,
// tax-report and audit routes, and to the rules and refunds that feed them. Each file gets its own
// app and fixtures (vitest isolates files), so `t`, `revokedKey` and `ids` are filled per file.

export let t: TestApp;
export let revokedKey: string;
/** Fixtures, filled into URLs and bodies as {name}. */
export const ids: Record<string, string> = {};

export const usd = (amount: number) => ({ amount, currency: 'USD' });

/** A referrer, a friend they referred and the friend's first order; the rewards it earned. */
export async function qualifiedOrder(overrides: Record<string, unknown> = {}) {
  const program = await makeProgram(t, { rewards: { referrer: usd(1000), referee: usd(500) }, ...overrides });
  const referrer = await makeParticipant(t, program.id);
  const friend = unique('friend');
  await t.api('POST', '/v1/events', event('signup', friend, { referral: { code: referrer.referral_code } }));
  const order = unique('order');
  const res = await t.api('POST', '/v1/events', {
    ...event('purchase', friend, usd(10_000)),
    external_id: order,
  });
  expect(res.body.result.outcome).toBe('referral_qualified');
  const [referrerReward, refereeReward] = res.body.result.reward_ids as [string, string];
  return { program: program.id, friend, order, rewards: [referrerReward, refereeReward] as const };
}

/** A program whose rewards are approved (available), ready for a payout run. */
export async function payableProgram() {
  const order = await qualifiedOrder({ reward_hold_days: 0 });
  for (const id of order.rewards) expect((await t.api('POST', `/v1/rewards/${id}/approve`)).status).toBe(200);
  return order;
}

/** Opens the app and fills the fixtures before the file's tests; closes it after them. */
export function useRewardFixtures() {
  beforeAll(async () => {
    t = await createTestApp();
    const held = await qualifiedOrder();
    ids.program = held.program;
    ids.reward = held.rewards[0];
    ids.reward2 = held.rewards[1];
    ids.friend = held.friend;
    ids.order = held.order;
    const paid = await payableProgram();
    ids.payout = (await t.api('POST', '/v1/payouts', { program_id: paid.program, currency: 'USD' })).body.id;
    ids.payable = (await payableProgram()).program;
    const { key, plaintext } = await t.store.transaction((trx) => createApiKey(trx, 'to revoke', new Date()));
    await t.store.transaction((trx) => revokeApiKey(trx, key.id, new Date()));
    revokedKey = plaintext;
  });
  afterAll(() => t.close());
}

export const fill = (text: string) =>
  text.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? `{${name}}`);
export const fillBody = (body: unknown): unknown =>
  body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body)));

export type Method = 'GET' | 'POST' | 'PATCH';

/** Sends a raw payload (any JSON value, or none) with the test key unless `headers` says otherwise. */
export async function send(
  method: Method,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const raw = await t.app.inject({
    method,
    url: fill(url),
    headers: {
      authorization: `Bearer ${t.key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(fillBody(body)) }),
  });
  let parsed: unknown = raw.body;
  try {
    parsed = JSON.parse(raw.body);
  } catch {
    // Not JSON (a CSV): keep the text.
  }
  return { status: raw.statusCode, body: parsed, headers: raw.headers, raw } as Reply;
}

/** The documented error shape, exactly: no param when none is expected, never a stack. */
export function expectError(res: Reply, status: number, code: ErrorCode, param?: string) {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: {
      error: {
        type: errorType(code),
        code,
        message: expect.any(String),
        ...(param === undefined ? {} : { param }),
      },
    },
  });
}

/** Sends the request and checks it is refused as documented, with nothing written anywhere. */
export async function expectRefused(
  request: () => Promise<Reply>,
  status: number,
  code: ErrorCode,
  param?: string,
): Promise<Reply> {
  const before = await countRows(t.store.db);
  const res = await request();
  expectError(res, status, code, param);
  expect(await countRows(t.store.db)).toEqual(before);
  return res;
}
