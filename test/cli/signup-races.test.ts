import { describe, expect, it } from 'vitest';
import { event, programBody, unique } from '../support/factories.ts';
import { created, post, type Reply, ROUNDS, times, twoServers, usd } from '../support/races.ts';

// Sign-ups of one person and review decisions that two `vouch serve` processes on one database
// answer at the same time: whatever the interleaving, one person gets one referral, and a review
// is decided once.

const { api, race } = twoServers('signup-races');

async function referrers(n: number, settings: Record<string, unknown> = {}) {
  const program = await created(api('POST', '/v1/programs', programBody(settings)));
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = { program_id: program.id, external_id: unique('referrer') };
    codes.push((await created(api('POST', '/v1/participants', body))).referral_code);
  }
  return { programId: program.id as string, codes };
}

const signup = (customer: string, code: string, email?: string) =>
  post('/v1/events', {
    ...event('signup', customer, { referral: { code } }),
    ...(email ? { customer: { external_id: customer, email } } : {}),
  });

async function referralsOf(programId: string) {
  const { body } = await api('GET', `/v1/referrals?program_id=${programId}&limit=100`);
  return body.data as { id: string; referee_id: string; status: string }[];
}

/** Exactly one reply made the referral; every other one says the person was referred already. */
function expectOneReferral(replies: Reply[]) {
  for (const { status, body } of replies) expect([200, 201], JSON.stringify(body)).toContain(status);
  const made = replies.filter((r) => r.body.result.outcome === 'referral_created');
  expect(made).toHaveLength(1);
  const others = replies.filter((r) => r !== made[0]).map((r) => r.body.result);
  for (const result of others)
    expect(result).toMatchObject({ outcome: 'no_referral', reason: 'already_referred' });
}

describe('concurrent sign-ups of one person', () => {
  it('makes one referral from 8 sign-ups of one customer sent with different event ids', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { programId, codes } = await referrers(1);
      const customer = unique('friend');
      const replies = await race(
        times(8, () => signup(customer, codes[0] as string)),
        round,
      );

      expectOneReferral(replies);
      expect(await referralsOf(programId)).toHaveLength(1);
    }
  });

  it('makes one referral from sign-ups of different accounts whose emails are one address', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { programId, codes } = await referrers(2);
      const person = unique('jane').replace(/\W/g, '').toLowerCase();
      const aliases = [
        `${person}+a@gmail.com`,
        `${person.slice(0, 3)}.${person.slice(3)}+b@googlemail.com`,
        `${person.toUpperCase()}@gmail.com`,
        `${person.slice(0, 2)}.${person.slice(2)}@gmail.com`,
      ];
      const requests = aliases.map((email, i) => signup(unique('account'), codes[i % 2] as string, email));
      const replies = await race(requests, round);

      expectOneReferral(replies);
      const made = await referralsOf(programId);
      expect(made).toHaveLength(1);
    }
  });
});

describe('concurrent review decisions', () => {
  it('applies exactly one of approvals and rejections sent together', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // A throwaway domain scores 50, the default review threshold: every referral is reviewed.
      const { codes } = await referrers(1);
      const customer = unique('friend');
      const made = await created(
        api('POST', '/v1/events', {
          ...event('signup', customer, { referral: { code: codes[0] } }),
          customer: { external_id: customer, email: `${customer.replace(/\W/g, '')}@mailinator.com` },
        }),
      );
      const referralId = made.result.referral_ids[0];
      const bought = await created(api('POST', '/v1/events', event('purchase', customer, usd(5000))));
      expect(bought.result.outcome).toBe('referral_qualified');
      const queue = await api('GET', `/v1/reviews?referral_id=${referralId}&status=open`);
      const [review] = queue.body.data;
      expect(review).toBeDefined();

      const decide = (action: 'approve' | 'reject') =>
        post(`/v1/reviews/${review.id}/${action}`, { note: `${action} in a race` });
      const replies = await race(
        [...times(4, () => decide('approve')), ...times(4, () => decide('reject'))],
        round,
      );

      const won = replies.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      for (const lost of replies.filter((r) => r.status !== 200)) {
        expect(lost).toMatchObject({ status: 409, body: { error: { code: 'review_not_open' } } });
      }
      const decision = won[0]?.body.status;
      const referral = (await api('GET', `/v1/referrals/${referralId}`)).body;
      const rewards = (await api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data;
      expect(rewards).toHaveLength(2);
      if (decision === 'rejected') {
        expect(referral).toMatchObject({ status: 'rejected', rejection_reason: 'fraud_review' });
        for (const reward of rewards)
          expect(reward).toMatchObject({ status: 'reversed', reversal_reason: 'fraud' });
      } else {
        expect(decision).toBe('approved');
        expect(referral.status).toBe('qualified');
        for (const reward of rewards) expect(reward).toMatchObject({ status: 'pending', reversed_amount: 0 });
      }
      const audit = await api('GET', `/v1/audit_log?subject_id=${review.id}`);
      expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual([
        `review.${decision}`,
        'review.opened',
      ]);
    }
  });
});
