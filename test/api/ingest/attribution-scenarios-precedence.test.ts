// Which touch wins when a sign-up has several: the strongest source (click id > typed code >
// invite by email > device match), then the program's model among touches of that source, and
// never a touch older than the program's attribution window.
import { describe, expect, it } from 'vitest';
import {
  clickOf,
  clickOnNewDevice,
  daysAfter,
  deviceCookie,
  invite,
  programWithReferrers,
  type Referrer,
  referralOf,
  type SignupFields,
  signUp,
  T,
  t,
  tag,
  trailEntry,
  useAttributionApp,
} from '../../support/attribution-fixtures.ts';
import { recordedClick } from '../../support/factories.ts';

useAttributionApp();

type Source = 'click' | 'code' | 'invite' | 'device';

/** Makes a touch of `source` for `referrer`: what the sign-up carries, and its trail entry. */
async function touch(source: Source, referrer: Referrer, email: string) {
  switch (source) {
    case 'click': {
      const { clickId, clickedAt } = await clickOf(referrer);
      return {
        fields: { referral: { click_id: clickId } },
        entry: { touch_id: clickId, touched_at: clickedAt },
      };
    }
    case 'code':
      return { fields: { referral: { code: referrer.referral_code } }, entry: {} };
    case 'invite': {
      const { id, created_at } = await invite(referrer, email);
      return { fields: { email }, entry: { touch_id: id, touched_at: created_at } };
    }
    case 'device': {
      const { clickId, device, clickedAt } = await clickOnNewDevice(referrer);
      return {
        fields: { context: { device_id: device } },
        entry: { touch_id: clickId, touched_at: clickedAt },
      };
    }
  }
}

const merge = (a: SignupFields, b: SignupFields): SignupFields => ({
  ...a,
  ...b,
  referral: { ...a.referral, ...b.referral },
});

describe('precedence between sources', () => {
  it.each([
    ['a click id', 'a code typed at sign-up', 'click', 'code'],
    ['a code typed at sign-up', 'an invite by email', 'code', 'invite'],
    ['an invite by email', 'a device match', 'invite', 'device'],
    ['a click id', 'a device match', 'click', 'device'],
  ] as const)('credits %s over %s, whose touch lost with lower_precedence', async (_w, _l, strong, weak) => {
    const { program, referrers } = await programWithReferrers(2);
    const [winner, loser] = referrers as [Referrer, Referrer];
    const email = `friend${tag()}@gmail.com`;
    // The weaker touch comes last, so the model alone would have picked it.
    const won = await touch(strong, winner, email);
    const lost = await touch(weak, loser, email);

    const signup = await signUp({ program_id: program.id, ...merge(won.fields, lost.fields) });

    expect(signup.body.result.outcome).toBe('referral_created');
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: winner.id, attribution_method: strong });
    expect(referral.attribution).toEqual({
      model: 'last_touch',
      rule: 'source_precedence',
      chosen: trailEntry(strong, winner, won.entry),
      considered: [
        trailEntry(strong, winner, won.entry),
        trailEntry(weak, loser, { ...lost.entry, reason: 'lower_precedence' }),
      ],
    });
  });
});

describe('the attribution window', () => {
  it.each([
    [29, 'referral_created', null],
    [30, 'referral_created', null],
    [31, 'no_referral', 'outside_window'],
  ] as const)('answers a click id %i days old in a 30-day window with %s', async (days, outcome, reason) => {
    t.setNow(T);
    const { program, referrers } = await programWithReferrers(1, { attribution_window_days: 30 });
    const { clickId } = await clickOf(referrers[0] as Referrer);

    t.setNow(daysAfter(days));
    const signup = await signUp({ program_id: program.id, referral: { click_id: clickId } });

    expect(signup.status).toBe(201);
    expect(signup.body.result).toMatchObject({ outcome, reason });
  });

  it('does not credit an invite older than the window', async () => {
    t.setNow(T);
    const { program, referrers } = await programWithReferrers(1, { attribution_window_days: 30 });
    const email = `friend${tag()}@gmail.com`;
    await invite(referrers[0] as Referrer, email);

    t.setNow(daysAfter(30.5));
    const signup = await signUp({ program_id: program.id, email });

    expect(signup.body.result).toMatchObject({
      outcome: 'no_referral',
      reason: 'outside_window',
      referral_ids: [],
    });
  });

  it('credits a weaker touch in the window over a stronger one outside it', async () => {
    t.setNow(T);
    const { program, referrers } = await programWithReferrers(2, { attribution_window_days: 30 });
    const [stale, fresh] = referrers as [Referrer, Referrer];
    const email = `friend${tag()}@gmail.com`;
    const old = await invite(stale, email);
    t.setNow(daysAfter(40));
    const { clickId, device, clickedAt } = await clickOnNewDevice(fresh);

    t.setNow(daysAfter(41));
    const signup = await signUp({ program_id: program.id, email, context: { device_id: device } });

    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: fresh.id, attribution_method: 'device' });
    expect(referral.attribution).toMatchObject({
      rule: 'only_touch',
      chosen: trailEntry('device', fresh, { touch_id: clickId, touched_at: clickedAt }),
      considered: [
        trailEntry('invite', stale, {
          touch_id: old.id,
          touched_at: old.created_at,
          reason: 'outside_window',
        }),
        trailEntry('device', fresh, { touch_id: clickId, touched_at: clickedAt }),
      ],
    });
  });
});

describe('first touch and last touch', () => {
  it.each([
    ['last_touch', 'the later', 1, 0, 'not_last_touch'],
    ['first_touch', 'the earlier', 0, 1, 'not_first_touch'],
  ] as const)(
    'with %s, credits %s of two invites',
    async (model, _which, winnerIndex, loserIndex, reason) => {
      t.setNow(T);
      const { program, referrers } = await programWithReferrers(2);
      const email = `friend${tag()}@gmail.com`;
      const invites = [await invite(referrers[0] as Referrer, email)];
      t.setNow(daysAfter(3));
      invites.push(await invite(referrers[1] as Referrer, email));
      if (model === 'first_touch') {
        const patched = await t.api('PATCH', `/v1/programs/${program.id}`, {
          attribution_model: 'first_touch',
        });
        expect(patched.body.attribution_model).toBe('first_touch');
      }
      const entryOf = (i: 0 | 1, lostWith?: string) => {
        const { id, created_at } = invites[i] as { id: string; created_at: string };
        const entry = { touch_id: id, touched_at: created_at, ...(lostWith ? { reason: lostWith } : {}) };
        return trailEntry('invite', referrers[i] as Referrer, entry);
      };

      t.setNow(daysAfter(5));
      const signup = await signUp({ program_id: program.id, email });

      const referral = await referralOf(signup);
      expect(referral.referrer_id).toBe((referrers[winnerIndex] as Referrer).id);
      expect(referral.attribution.model).toBe(model);
      expect(referral.attribution.rule).toBe(model);
      expect(referral.attribution.chosen).toEqual(entryOf(winnerIndex));
      expect(referral.attribution.considered).toEqual(
        expect.arrayContaining([entryOf(winnerIndex), entryOf(loserIndex, reason)]),
      );
      expect(referral.attribution.considered).toHaveLength(2);
    },
  );

  it('credits the last of two links followed in one browser when only the device matches', async () => {
    const { program, referrers } = await programWithReferrers(2);
    const [first, second] = referrers as [Referrer, Referrer];
    t.setNow(T);
    const earlier = await clickOnNewDevice(first);
    t.setNow(daysAfter(1));
    // The same browser sends its vouch_device cookie back and keeps its id.
    const again = await t.app.inject({
      method: 'GET',
      url: `/r/${second.referral_code}`,
      headers: { cookie: `vouch_device=${earlier.device}` },
    });
    expect(deviceCookie(again.headers['set-cookie'] as string | string[] | undefined)).toBeNull();
    const laterId = new URL(String(again.headers.location)).searchParams.get('vouch_click') as string;
    const later = await recordedClick(t, laterId);

    t.setNow(daysAfter(2));
    const signup = await signUp({ program_id: program.id, context: { device_id: earlier.device } });

    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: second.id, attribution_method: 'device' });
    expect(referral.attribution).toMatchObject({
      rule: 'last_touch',
      chosen: trailEntry('device', second, { touch_id: laterId, touched_at: later.occurred_at }),
    });
    expect(referral.attribution.considered).toContainEqual(
      trailEntry('device', first, {
        touch_id: earlier.clickId,
        touched_at: earlier.clickedAt,
        reason: 'not_last_touch',
      }),
    );
  });

  it('uses last_touch unless the program says otherwise', async () => {
    const { program } = await programWithReferrers(0);

    const res = await t.api('GET', `/v1/programs/${program.id}`);

    expect(res.body.attribution_model).toBe('last_touch');
  });
});
