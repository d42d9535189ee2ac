import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { click, event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';

describe('the referral loop', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('credits both sides when a referred friend signs up through a link and buys', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const { clickId } = await click(t, referrer.referral_code);
    const friend = unique('friend');

    const signup = await t.api(
      'POST',
      '/v1/events',
      event('signup', friend, { referral: { click_id: clickId } }),
    );
    expect(signup.status).toBe(201);
    expect(signup.body.result.outcome).toBe('referral_created');

    const purchase = await t.api(
      'POST',
      '/v1/events',
      event('purchase', friend, { amount: 4200, currency: 'USD' }),
    );
    expect(purchase.status).toBe(201);
    expect(purchase.body.result.outcome).toBe('referral_qualified');
    expect(purchase.body.result.reward_ids).toHaveLength(2);

    const after = await t.api('GET', `/v1/participants/${referrer.id}`);
    expect(after.body.balances).toEqual([
      { currency: 'USD', pending: 1000, available: 0, processing: 0, paid: 0 },
    ]);
  });
});
