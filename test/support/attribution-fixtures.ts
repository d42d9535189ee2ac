import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { ErrorCode } from '../../src/lib/errors.ts';
import { createTestApp, type Reply, type TestApp } from './app.ts';
import { click, event, makeParticipant, makeProgram, recordedClick, unique } from './factories.ts';
import { countRows } from './tables.ts';

// Shared by the test/api/ingest/attribution-scenarios-*.test.ts files: each file gets its own app on a
// fresh database (vitest isolates files), so `t` is the file's own. Every scenario makes its own
// program, referrers and email addresses, so scenarios never see each other's touches.

export let t: TestApp;

export function useAttributionApp(): void {
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.setNow(null));
  afterAll(() => t.close());
}

const DAY_MS = 86_400_000;
/** The moment scenarios start at, when they move the clock. */
export const T = new Date('2031-03-01T09:00:00.000Z');
export const daysAfter = (days: number) => new Date(T.getTime() + days * DAY_MS);

/** A tag no other scenario uses, to build email addresses that only this scenario knows. */
export const tag = () =>
  unique('p')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase();

export type Referrer = { id: string; referral_code: string; program_id: string };

/** A program (defaults of the factories: 30-day window, last touch) and referrers enrolled in it. */
export async function programWithReferrers(count: number, overrides: Record<string, unknown> = {}) {
  const program = await makeProgram(t, overrides);
  const referrers: Referrer[] = [];
  for (let i = 0; i < count; i++) {
    referrers.push({ ...(await makeParticipant(t, program.id)), program_id: program.id });
  }
  return { program, referrers };
}

export interface SignupFields {
  email?: string;
  phone?: string;
  program_id?: string;
  referral?: { code?: string; click_id?: string };
  context?: { device_id?: string; ip?: string; user_agent?: string };
  occurred_at?: string;
  /** The customer's own id; a fresh one unless given. */
  customer?: string;
}

/** POST /v1/events: a sign-up by a new customer (or the one named), with what the shop knows. */
export function signUp(fields: SignupFields = {}): Promise<Reply> {
  const { email, phone, customer = unique('customer'), ...rest } = fields;
  const body = event('signup', customer, rest);
  return t.api('POST', '/v1/events', {
    ...body,
    customer: { external_id: customer, ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
  });
}

/** The referral a sign-up created, as GET /v1/referrals/{id} shows it, trail included. */
export async function referralOf(signup: Reply) {
  expect(signup.body.result.referral_ids).toHaveLength(1);
  const res = await t.api('GET', `/v1/referrals/${signup.body.result.referral_ids[0]}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** The trail entry of a touch of `referrer`, chosen unless a lost reason is given. */
export function trailEntry(
  source: 'click' | 'code' | 'invite' | 'device',
  referrer: Referrer,
  touch: { touch_id?: string | null; touched_at?: string | null; reason?: string } = {},
) {
  return {
    source,
    touch_id: touch.touch_id ?? null,
    code: referrer.referral_code,
    referrer_id: referrer.id,
    program_id: referrer.program_id,
    touched_at: touch.touched_at ?? null,
    outcome: touch.reason ? 'lost' : 'chosen',
    reason: touch.reason ?? null,
  };
}

/** The vouch_device cookie a redirect set, from its Set-Cookie header(s). */
export function deviceCookie(setCookie: string | string[] | undefined | null): string | null {
  const lines = setCookie === undefined || setCookie === null ? [] : [setCookie].flat();
  for (const line of lines) {
    const match = /^vouch_device=([^;]+)/.exec(line);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** A browser with no device cookie yet follows the referrer's link; waits until the click is stored. */
export async function clickOnNewDevice(referrer: Referrer) {
  const { res, clickId } = await click(t, referrer.referral_code);
  expect(res.statusCode).toBe(302);
  const device = deviceCookie(res.headers['set-cookie'] as string | string[] | undefined);
  expect(device).toMatch(/^dev_[0-9A-Z]{26}$/);
  const row = await recordedClick(t, clickId as string);
  return { clickId: clickId as string, device: device as string, clickedAt: row.occurred_at };
}

/** A click whose id the sign-up will carry; stored, so its time is known. */
export async function clickOf(referrer: Referrer) {
  const { clickId } = await click(t, referrer.referral_code);
  const row = await recordedClick(t, clickId as string);
  return { clickId: clickId as string, clickedAt: row.occurred_at };
}

/** POST /v1/invites: the referrer invites a friend by email. */
export async function invite(referrer: Referrer, email: string) {
  const res = await t.api('POST', '/v1/invites', { email, participant_id: referrer.id });
  expect(res.status).toBe(201);
  return res.body as { id: string; created_at: string };
}

/** Sends the request and checks the documented error, with nothing written anywhere. */
export async function expectRefused(
  request: () => Promise<Reply>,
  status: number,
  code: ErrorCode,
  param: string,
): Promise<void> {
  const before = await countRows(t.store.db);
  const res = await request();
  expect({ status: res.status, code: res.body?.error?.code, param: res.body?.error?.param }).toEqual({
    status,
    code,
    param,
  });
  expect(await countRows(t.store.db)).toEqual(before);
}
