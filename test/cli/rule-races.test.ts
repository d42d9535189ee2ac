import { describe, expect, it } from 'vitest';
import { event, programBody, unique } from '../support/factories.ts';
import { type Api, created, post, type Reply, ROUNDS, times, twoServers, usd } from '../support/races.ts';

// Incentive rules (caps, budgets, tiers, milestones, versions) applied by requests that two
// `vouch serve` processes on one database answer at the same time. Each rule reads what was
// rewarded before and adds to it, so a lost race shows as a cap passed or a tier skipped.

interface Reward {
  id: string;
  referral_id: string;
  participant_id: string;
  side: 'referrer' | 'referee' | 'referrer_milestone';
  amount: number;
  reversed_amount: number;
}

interface Referral {
  id: string;
  status: string;
  rules_version: number;
  unrewarded_reason: string | null;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const amounts = (rewards: Reward[], side: Reward['side']) =>
  sorted(rewards.filter((r) => r.side === side).map((r) => r.amount));
const reasons = (referrals: Referral[]) => referrals.map((r) => r.unrewarded_reason);

const ORDER = 10_000;

const { api, race } = twoServers('rule-races');

type Rules = { rewards?: Record<string, unknown>; qualification?: unknown; caps?: unknown };

/** A program paying 1000 to the referrer and 500 to the referee, under these further rules. */
function program(rules: Rules = {}) {
  const rewards = { referrer: usd(1000), referee: usd(500), ...rules.rewards };
  return created(api('POST', '/v1/programs', programBody({ ...rules, rewards })));
}

const referrerIn = (programId: string) =>
  created(api('POST', '/v1/participants', { program_id: programId, external_id: unique('referrer') }));

/** Friends who signed up with the referrer's code, one after another; their customer ids. */
async function signedUpFriends(code: string, n: number): Promise<string[]> {
  const friends: string[] = [];
  for (let i = 0; i < n; i++) {
    const friend = unique('friend');
    const signup = await created(api('POST', '/v1/events', event('signup', friend, { referral: { code } })));
    expect(signup.result.outcome).toBe('referral_created');
    friends.push(friend);
  }
  return friends;
}

const signup = (code: string) =>
  post('/v1/events', event('signup', unique('friend'), { referral: { code } }));

const purchase = (customer: string) => post('/v1/events', event('purchase', customer, usd(ORDER)));

function expectAllQualified(sent: Reply[]) {
  for (const { status, body } of sent) {
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.result.outcome).toBe('referral_qualified');
  }
}

async function referralsWhere(query: string): Promise<Referral[]> {
  const { status, body } = await api('GET', `/v1/referrals?${query}&limit=100`);
  expect(status).toBe(200);
  return body.data;
}

async function rewardsOf(referrals: Referral[]): Promise<Reward[]> {
  const rewards: Reward[] = [];
  for (const { id } of referrals)
    rewards.push(...(await api('GET', `/v1/rewards?referral_id=${id}`)).body.data);
  return rewards;
}

describe('incentive rules applied by two server processes racing on one database', () => {
  it("rewards the referrer for 3 of 8 friends' purchases sent at once under a lifetime cap of 3, and every friend", async () => {
    const { id } = await program({ caps: { referrer_lifetime: { count: 3 } } });
    const referrer = await referrerIn(id);
    const friends = await signedUpFriends(referrer.referral_code, 8);

    expectAllQualified(await race(friends.map(purchase)));

    const referrals = await referralsWhere(`referrer_id=${referrer.id}`);
    expect(referrals.map((r) => r.status)).toEqual(times(8, () => 'qualified'));
    const rewards = await rewardsOf(referrals);
    expect(amounts(rewards, 'referrer')).toEqual(times(3, () => 1000));
    expect(amounts(rewards, 'referee')).toEqual(times(8, () => 500));
    expect(reasons(referrals).filter((r) => r !== null)).toEqual(times(5, () => 'referrer_cap_reached'));
    // The referrals held back are exactly those without a referrer reward.
    const paidReferrer = new Set(rewards.filter((r) => r.side === 'referrer').map((r) => r.referral_id));
    for (const referral of referrals) {
      expect(paidReferrer.has(referral.id)).toBe(referral.unrewarded_reason === null);
    }
  });

  it('rewards the referrer for 3 of 8 friends who sign up at once when sign-ups qualify, under a lifetime cap of 3', async () => {
    const { id } = await program({
      qualification: { event: 'signup' },
      caps: { referrer_lifetime: { count: 3 } },
    });
    const referrer = await referrerIn(id);

    expectAllQualified(await race(times(8, () => signup(referrer.referral_code))));

    const referrals = await referralsWhere(`referrer_id=${referrer.id}`);
    expect(referrals.map((r) => r.status)).toEqual(times(8, () => 'qualified'));
    const rewards = await rewardsOf(referrals);
    expect(amounts(rewards, 'referrer')).toEqual(times(3, () => 1000));
    expect(amounts(rewards, 'referee')).toEqual(times(8, () => 500));
    expect(reasons(referrals).filter((r) => r !== null)).toEqual(times(5, () => 'referrer_cap_reached'));
  });

  it("never lets the referrer's rewards pass a monthly amount cap when 8 purchases arrive at once", async () => {
    const { id } = await program({ caps: { referrer_monthly: { amount: usd(3000) } } });
    const referrer = await referrerIn(id);
    const friends = await signedUpFriends(referrer.referral_code, 8);

    expectAllQualified(await race(friends.map(purchase)));

    const referrals = await referralsWhere(`referrer_id=${referrer.id}`);
    const rewards = await rewardsOf(referrals);
    const kept = rewards
      .filter((r) => r.participant_id === referrer.id)
      .map((r) => r.amount - r.reversed_amount);
    expect(sum(kept)).toBeLessThanOrEqual(3000);
    // Counted one after another, the first three fit exactly and the other five are held back.
    expect(sorted(kept)).toEqual(times(3, () => 1000));
    expect(amounts(rewards, 'referee')).toEqual(times(8, () => 500));
    expect(reasons(referrals).filter((r) => r !== null)).toEqual(times(5, () => 'referrer_cap_reached'));
  });

  it("spends the program's monthly budget exactly when 6 referrers' friends buy at once, and rewards no one past it", async () => {
    const { id } = await program({ caps: { program_monthly_budget: usd(4500) } });
    const friends: string[] = [];
    for (let i = 0; i < 6; i++) {
      const referrer = await referrerIn(id);
      friends.push(...(await signedUpFriends(referrer.referral_code, 1)));
    }

    expectAllQualified(await race(friends.map(purchase)));

    const referrals = await referralsWhere(`program_id=${id}`);
    expect(referrals).toHaveLength(6);
    const rewards = await rewardsOf(referrals);
    expect(sum(rewards.map((r) => r.amount))).toBe(4500);
    for (const referral of referrals) {
      const earned = rewards.filter((r) => r.referral_id === referral.id);
      // Both sides or neither: the budget never pays one side of a referral.
      if (referral.unrewarded_reason === null) {
        expect(earned.map((r) => [r.side, r.amount]).sort()).toEqual([
          ['referee', 500],
          ['referrer', 1000],
        ]);
      } else {
        expect(referral.unrewarded_reason).toBe('program_budget_exhausted');
        expect(earned).toEqual([]);
      }
    }
    expect(reasons(referrals).filter((r) => r !== null)).toEqual(times(3, () => 'program_budget_exhausted'));
  });

  it('climbs tiers one referral at a time and pays a milestone once when 6 purchases arrive at once', async () => {
    const { id } = await program({
      rewards: {
        referrer_tiers: [{ from_referral: 3, reward: usd(2000) }],
        milestones: [{ at_referral: 4, reward: usd(5000) }],
      },
    });
    const referrer = await referrerIn(id);
    const friends = await signedUpFriends(referrer.referral_code, 6);

    expectAllQualified(await race(friends.map(purchase)));

    const referrals = await referralsWhere(`referrer_id=${referrer.id}`);
    expect(reasons(referrals)).toEqual(times(6, () => null));
    const rewards = await rewardsOf(referrals);
    expect(amounts(rewards, 'referrer')).toEqual([1000, 1000, 2000, 2000, 2000, 2000]);
    expect(amounts(rewards, 'referrer_milestone')).toEqual([5000]);
    expect(amounts(rewards, 'referee')).toEqual(times(6, () => 500));
    // The 4th referral earns the bonus, and is past the tier that starts at the 3rd.
    const bonus = rewards.find((r) => r.side === 'referrer_milestone') as Reward;
    const alongside = rewards.filter((r) => r.referral_id === bonus.referral_id && r.side === 'referrer');
    expect(alongside.map((r) => r.amount)).toEqual([2000]);
  });

  it('pays a referral under the rules version it was made with when its purchase races a change of the rules', async () => {
    // Version v pays v × 1000 and v × 100, so a referral paid under a mix of two versions shows.
    const rulesOf = (v: number) => ({ referrer: usd(v * 1000), referee: usd(v * 100) });
    // Caps far off, so that qualification also locks and reads the rows the change writes.
    const caps = { referrer_lifetime: { count: 100 }, program_monthly_budget: usd(1_000_000) };
    const { id } = await program({ rewards: rulesOf(1), caps });
    const referrer = await referrerIn(id);

    for (let version = 1; version <= ROUNDS; version++) {
      const [friend] = (await signedUpFriends(referrer.referral_code, 1)) as [string];
      const change = { rewards: rulesOf(version + 1) };

      const [bought, patched] = (await race(
        [purchase(friend), (api) => api('PATCH', `/v1/programs/${id}`, change)],
        version,
      )) as [Reply, Reply];

      expectAllQualified([bought]);
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.rules_version).toBe(version + 1);
      const referral: Referral = (await api('GET', `/v1/referrals/${bought.body.result.referral_ids[0]}`))
        .body;
      expect(referral).toMatchObject({
        status: 'qualified',
        rules_version: version,
        unrewarded_reason: null,
      });
      const rewards = await rewardsOf([referral]);
      expect(amounts(rewards, 'referrer')).toEqual([version * 1000]);
      expect(amounts(rewards, 'referee')).toEqual([version * 100]);
    }
  });

  it('gives each of several rule changes sent at once its own version, none lost', async () => {
    const { id } = await program();

    const replies = await race(
      times(
        4,
        (i) => (api: Api) => api('PATCH', `/v1/programs/${id}`, { rewards: { referrer: usd(2000 + i) } }),
      ),
    );

    expect(replies.map((r) => r.status)).toEqual(times(4, () => 200));
    expect(replies.map((r) => r.body.rules_version).sort()).toEqual([2, 3, 4, 5]);
    expect((await api('GET', `/v1/programs/${id}`)).body.rules_version).toBe(5);
  });
});
