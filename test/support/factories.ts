import type { TestApp } from './app.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

export const programBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Give $10, get $10',
  landing_url: 'https://shop.example.com/welcome?lang=en',
  rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: { amount: 1000, currency: 'USD' } },
  attribution_window_days: 30,
  ...overrides,
});

export async function makeProgram(t: TestApp, overrides: Record<string, unknown> = {}) {
  const res = await t.api('POST', '/v1/programs', programBody(overrides));
  if (res.status !== 201) throw new Error(`program not created: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; landing_url: string };
}

export async function makeParticipant(
  t: TestApp,
  programId: string,
  overrides: Record<string, unknown> = {},
) {
  const res = await t.api('POST', '/v1/participants', {
    program_id: programId,
    external_id: unique('user'),
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`participant not created: ${JSON.stringify(res.body)}`);
  return res.body as {
    id: string;
    program_id: string;
    external_id: string;
    referral_code: string;
    referral_url: string;
  };
}

/** Follows a referral link as a browser would and returns the click id from the redirect. */
export async function click(t: TestApp, code: string, query = '') {
  const res = await t.app.inject({ method: 'GET', url: `/r/${code}${query}` });
  const location = res.headers.location ? new URL(String(res.headers.location)) : null;
  return { res, location, clickId: location?.searchParams.get('vouch_click') ?? null };
}

/** Clicks are written in batches a few ms after the redirect; waits until this one is stored. */
export async function recordedClick(t: TestApp, id: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const row = await t.store.db.selectFrom('clicks').selectAll().where('id', '=', id).executeTakeFirst();
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`click ${id} was never recorded`);
}

export function event(
  type: 'signup' | 'purchase' | 'refund',
  customerId: string,
  extra: Record<string, unknown> = {},
) {
  return { type, external_id: unique(type), customer: { external_id: customerId }, ...extra };
}

export { unique };
