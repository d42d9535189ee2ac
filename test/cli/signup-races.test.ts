import { describe, expect, it } from 'vitest';
import { event, programBody, unique } from '../support/factories.ts';
import { type Api, created, post, type Reply, ROUNDS, times, twoServers, usd } from '../support/races.ts';

// Sign-ups and review decisions that two `vouch serve` processes on one database answer at the
// same time: whatever the interleaving, one person gets one referral, screening counts stay
// consistent with the signals stored, and a review is decided once.

interface Referral {
  id: string;
  referee_id: string;
  status: string;
  rejection_reason: string | null;
  fraud: { signals: { rule: string }[] };
}

const { api, race } = twoServers('signup-races');

/** A fresh program (identities and fraud counts are per program) and `n` referrers in it. */
async function programWith(n: number, settings: Record<string, unknown> = {}) {
  const program = await created(api('POST', '/v1/programs', programBody(settings)));
  const referrers: { id: string; referral_code: string }[] = [];
  for (let i = 0; i < n; i++) {
    const body = { program_id: program.id, external_id: unique('referrer') };
    referrers.push(await created(api('POST', '/v1/participants', body)));
  }
  return { programId: program.id as string, referrers };
}

type Customer = { external_id: string; email?: string };

/** A sign-up with a code, under a new event id each time it is built. */
const signupBody = (customer: Customer, code: string, context?: { ip: string }) => ({
  ...event('signup', customer.external_id, { referral: { code } }),
  customer,
  ...(context ? { context } : {}),
});

async function referralsWhere(query: string): Promise<Referral[]> {
  const { status, body } = await api('GET', `/v1/referrals?${query}&limit=100`);
  expect(status).toBe(200);
  return body.data;
}

/** Every reply is a success; exactly one made the referral, the others found the person referred. */
function expectOneReferral(replies: Reply[]) {
  for (const { status, body } of replies) expect([200, 201], JSON.stringify(body)).toContain(status);
  const results = replies.map((r) => r.body.result);
  const made = results.filter((r) => r.outcome === 'referral_created');
  expect(made).toHaveLength(1);
  for (const result of results.filter((r) => r !== made[0]))
    expect(result).toMatchObject({ outcome: 'no_referral', reason: 'already_referred' });
  return made[0].referral_ids[0] as string;
}

describe('concurrent sign-ups of one person', () => {
  it('makes one referral of 8 sign-ups of one customer retried at once under new event ids', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { referrers } = await programWith(1);
      const [referrer] = referrers as [{ id: string; referral_code: string }];
      const customer = { external_id: unique('friend') };

      const replies = await race(
        times(8, () => post('/v1/events', signupBody(customer, referrer.referral_code))),
        round,
      );

      const referralId = expectOneReferral(replies);
      const referrals = await referralsWhere(`referrer_id=${referrer.id}`);
      expect(referrals.map((r) => r.id)).toEqual([referralId]);
    }
  });

  // One person behind six accounts: Gmail ignores dots, case and +tags, and googlemail is gmail.
  const aliases = [
    'jane.doe+a@gmail.com',
    'janedoe+b@googlemail.com',
    'JaneDoe@gmail.com',
    'j.a.n.e.d.o.e@googlemail.com',
    'JANE.DOE+shop@GMAIL.COM',
    'jane.doe@googlemail.com',
  ];

  it.each([
    ['the same referrer', 1],
    ['different referrers', 3],
  ])(
    'makes one referral of sign-ups sent at once by accounts whose emails are one address, with codes of %s',
    async (_, n) => {
      for (let round = 0; round < ROUNDS; round++) {
        const { programId, referrers } = await programWith(n);
        const requests = aliases.map((email, i) => {
          const code = (referrers[i % n] as { referral_code: string }).referral_code;
          return post('/v1/events', signupBody({ external_id: unique('account'), email }, code));
        });

        const replies = await race(requests, round);

        const referralId = expectOneReferral(replies);
        const referrals = await referralsWhere(`program_id=${programId}`);
        expect(referrals.map((r) => r.id)).toEqual([referralId]);
      }
    },
  );
});

describe('concurrent sign-ups from one IP address', () => {
  it('flags the 4th to 8th of 8 people signing up from one IP at once, as one after another would, and reaches back to the first 3', async () => {
    // With max_signups 3, the 4th sign-up and every later one from the IP gets the signal at its
    // own screening. Racing sign-ups count the IP's earlier referrals one at a time (PostgreSQL: a
    // lock on the IP in the program), so the count is the same as in sequence, across the two
    // referrers' codes. The first 3 get the signal once, by reach-back from the cluster's finding.
    for (let round = 0; round < ROUNDS; round++) {
      const { programId, referrers } = await programWith(2);
      const customers = times(8, () => ({ external_id: unique('friend') }));
      const codeOf = (i: number) => (referrers[i % 2] as { referral_code: string }).referral_code;

      const replies = await race(
        customers.map((customer, i) =>
          post('/v1/events', signupBody(customer, codeOf(i), { ip: '203.0.113.7' })),
        ),
        round,
      );

      for (const { status, body } of replies) {
        expect(status, JSON.stringify(body)).toBe(201);
        expect(body.result.outcome).toBe('referral_created');
      }
      const referrals = await referralsWhere(`program_id=${programId}`);
      expect(new Set(referrals.map((r) => r.referee_id)).size).toBe(8);
      expect(referrals).toHaveLength(8);
      let atScreening = 0;
      let reachedBack = 0;
      for (const { id } of referrals) {
        const { body } = await api('GET', `/v1/referrals/${id}`);
        const signals = body.fraud.signals.filter((s: { rule: string }) => s.rule === 'bulk_ip');
        expect(signals, id).toHaveLength(1);
        if (signals[0].reason.startsWith('Part of a cluster found at referral')) reachedBack++;
        else atScreening++;
      }
      const report = (await api('GET', `/v1/programs/${programId}/fraud_report`)).body;
      expect(report.referrals).toBe(8);
      expect(report.rules.find((r: { rule: string }) => r.rule === 'bulk_ip')).toMatchObject({
        signals: 8,
        referrals: 8,
      });
      expect({ atScreening, reachedBack }).toEqual({ atScreening: 5, reachedBack: 3 });
    }
  });
});

describe('concurrent review decisions', () => {
  /** A qualified referral under review: a throwaway domain scores 50, the default review threshold. */
  async function reviewedReferral() {
    const { referrers } = await programWith(1);
    const code = (referrers[0] as { referral_code: string }).referral_code;
    const customer = unique('friend');
    const email = `${customer.replace(/\W/g, '')}@mailinator.com`;
    const made = await created(api('POST', '/v1/events', signupBody({ external_id: customer, email }, code)));
    const referralId = made.result.referral_ids[0] as string;
    const bought = await created(api('POST', '/v1/events', event('purchase', customer, usd(5000))));
    expect(bought.result.outcome).toBe('referral_qualified');
    const queue = (await api('GET', `/v1/reviews?referral_id=${referralId}&status=open`)).body.data;
    expect(queue).toHaveLength(1);
    return { referralId, reviewId: queue[0].id as string };
  }

  const decide = (reviewId: string, action: 'approve' | 'reject') => (send: Api) =>
    send('POST', `/v1/reviews/${reviewId}/${action}`, { note: `${action} in a race` });

  it('applies exactly one of 4 approvals and 4 rejections sent at once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { referralId, reviewId } = await reviewedReferral();

      const replies = await race(
        [...times(4, () => decide(reviewId, 'approve')), ...times(4, () => decide(reviewId, 'reject'))],
        round,
      );

      const won = replies.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      for (const lost of replies.filter((r) => r.status !== 200))
        expect(lost).toMatchObject({ status: 409, body: { error: { code: 'review_not_open' } } });
      const decision = won[0]?.body.status as 'approved' | 'rejected';
      expect((await api('GET', `/v1/reviews/${reviewId}`)).body.status).toBe(decision);
      const referral = (await api('GET', `/v1/referrals/${referralId}`)).body;
      const rewards = (await api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data;
      expect(rewards).toHaveLength(2);
      if (decision === 'rejected') {
        expect(referral).toMatchObject({ status: 'rejected', rejection_reason: 'fraud_review' });
        for (const reward of rewards)
          expect(reward).toMatchObject({
            status: 'reversed',
            reversed_amount: reward.amount,
            reversal_reason: 'fraud',
          });
      } else {
        expect(decision).toBe('approved');
        expect(referral).toMatchObject({ status: 'qualified', rejection_reason: null });
        for (const reward of rewards) expect(reward).toMatchObject({ status: 'pending', reversed_amount: 0 });
      }
      const audit = (await api('GET', `/v1/audit_log?subject_id=${reviewId}`)).body.data;
      expect(audit.map((e: { action: string }) => e.action)).toEqual([`review.${decision}`, 'review.opened']);
    }
  });
});
