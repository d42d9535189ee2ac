import { describe, expect, it } from 'vitest';
import { event, programBody, unique } from '../support/factories.ts';
import { created, post, times, twoServers, usd } from '../support/races.ts';

// A referee's lifetime cap counts what one person received in every program. Qualifications of
// that person in several programs, answered by two `vouch serve` processes at once, must count
// each other: a lost race shows as more referee rewards than the cap.

const { api, race } = twoServers('referee-cap-races');

const PROGRAMS = 6;

describe("a referee's lifetime cap under concurrent qualifications", () => {
  it('rewards one person as a referee twice, under a cap of 2, when their purchases in 6 programs arrive at once', async () => {
    const friend = unique('friend');
    const programIds: string[] = [];
    for (let i = 0; i < PROGRAMS; i++) {
      const body = programBody({
        rewards: { referrer: usd(1000), referee: usd(500) },
        caps: { referee_lifetime: { count: 2 } },
      });
      const { id } = await created(api('POST', '/v1/programs', body));
      const referrer = await created(
        api('POST', '/v1/participants', { program_id: id, external_id: unique('referrer') }),
      );
      const signup = event('signup', friend, { referral: { code: referrer.referral_code } });
      expect((await created(api('POST', '/v1/events', signup))).result.outcome).toBe('referral_created');
      programIds.push(id);
    }

    const sent = await race(
      programIds.map((id) =>
        post('/v1/events', event('purchase', friend, { ...usd(10_000), program_id: id })),
      ),
    );

    for (const { status, body } of sent) {
      expect(status, JSON.stringify(body)).toBe(201);
      expect(body.result.outcome).toBe('referral_qualified');
    }
    const referrals: { id: string; unrewarded_reason: string | null }[] = [];
    for (const id of programIds)
      referrals.push(...(await api('GET', `/v1/referrals?program_id=${id}`)).body.data);
    const rewards: { side: string }[] = [];
    for (const { id } of referrals)
      rewards.push(...(await api('GET', `/v1/rewards?referral_id=${id}`)).body.data);
    const sides = (side: string) => rewards.filter((r) => r.side === side);
    expect(sides('referrer')).toHaveLength(PROGRAMS);
    expect(sides('referee')).toHaveLength(2);
    expect(referrals.map((r) => r.unrewarded_reason).sort()).toEqual([
      null,
      null,
      ...times(PROGRAMS - 2, () => 'referee_cap_reached'),
    ]);
  });
});
