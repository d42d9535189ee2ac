// Attribution by email: an invite reaches the person behind an address however they type it, a
// person is referred once however many accounts they open, and nobody refers themselves.
import { describe, expect, it } from 'vitest';
import {
  invite,
  programWithReferrers,
  type Referrer,
  referralOf,
  signUp,
  t,
  tag,
  trailEntry,
  useAttributionApp,
} from '../../support/attribution-fixtures.ts';
import { makeParticipant, makeProgram } from '../../support/factories.ts';

useAttributionApp();

describe('invites by email', () => {
  it.each([
    ['dots, a +tag, mixed case and googlemail.com', (p: string) => `Jane.Doe${p}+shop@GoogleMail.com`],
    ['the address exactly as invited', (p: string) => `janedoe${p}@gmail.com`],
    ['capitals only', (p: string) => `JANEDOE${p.toUpperCase()}@GMAIL.COM`],
    ['dots anywhere', (p: string) => `j.a.n.e.d.o.e.${p}@gmail.com`],
  ])('credits the referrer who invited janedoe@gmail.com when she signs up with %s', async (_n, alias) => {
    const { program, referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];
    const person = tag();
    const invited = await invite(referrer, `janedoe${person}@gmail.com`);

    const signup = await signUp({ email: alias(person) });

    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({
      program_id: program.id,
      result: { outcome: 'referral_created', reason: null },
    });
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: referrer.id, attribution_method: 'invite' });
    expect(referral.attribution.chosen).toEqual(
      trailEntry('invite', referrer, { touch_id: invited.id, touched_at: invited.created_at }),
    );
  });

  it.each([
    ['another gmail mailbox', (p: string) => `janedoe${p}x@gmail.com`],
    ['the same mailbox name at another provider', (p: string) => `janedoe${p}@yahoo.com`],
  ])('credits nobody for %s', async (_n, other) => {
    const { program, referrers } = await programWithReferrers(1);
    const person = tag();
    await invite(referrers[0] as Referrer, `janedoe${person}@gmail.com`);

    const signup = await signUp({ program_id: program.id, email: other(person) });

    expect(signup.status).toBe(201);
    expect(signup.body.result).toMatchObject({ outcome: 'no_referral', reason: null, referral_ids: [] });
  });

  it('keeps one invite per referrer and person, however the address is typed', async () => {
    const { referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];
    const person = tag();
    const first = await invite(referrer, `janedoe${person}@gmail.com`);

    const again = await t.api('POST', '/v1/invites', {
      email: `Jane.Doe${person}+again@googlemail.com`,
      participant_id: referrer.id,
    });

    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
  });
});

describe('one referral per person', () => {
  it('answers already_referred to a second account of an invited person, on any device', async () => {
    const { program, referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];
    const person = tag();
    await invite(referrer, `janedoe${person}@gmail.com`);
    const first = await signUp({
      email: `janedoe${person}@gmail.com`,
      context: { device_id: 'dev_01PHONE00000000000000000' },
    });
    expect(first.body.result.outcome).toBe('referral_created');

    const second = await signUp({
      customer: `second-account-${person}`,
      email: `Jane.Doe${person}+second@gmail.com`,
      context: { device_id: 'dev_01LAPTOP0000000000000000' },
    });

    expect(second.status).toBe(201);
    expect(second.body.result).toEqual({
      outcome: 'no_referral',
      reason: 'already_referred',
      referral_ids: [],
      reward_ids: [],
    });
    const all = await t.api('GET', `/v1/referrals?program_id=${program.id}`);
    expect(all.body.data.map((r: { id: string }) => r.id)).toEqual(first.body.result.referral_ids);
    // The two records stay apart, each linked to the other by the email they share.
    const referral = await t.api('GET', `/v1/referrals/${first.body.result.referral_ids[0]}`);
    const firstRecord = await t.api('GET', `/v1/participants/${referral.body.referee_id}`);
    const [link] = firstRecord.body.linked_participants;
    expect(firstRecord.body.linked_participants).toHaveLength(1);
    expect(link).toMatchObject({ kind: 'email' });
    const secondRecord = await t.api('GET', `/v1/participants/${link.id}`);
    expect(secondRecord.body).toMatchObject({ external_id: `second-account-${person}` });
    expect(secondRecord.body.linked_participants).toMatchObject([{ id: firstRecord.body.id, kind: 'email' }]);
  });

  it('answers already_referred even when the second account comes with another referrer code', async () => {
    const { program, referrers } = await programWithReferrers(2);
    const [inviter, other] = referrers as [Referrer, Referrer];
    const person = tag();
    await invite(inviter, `janedoe${person}@gmail.com`);
    await signUp({ program_id: program.id, email: `janedoe${person}@gmail.com` });

    const second = await signUp({
      program_id: program.id,
      email: `JaneDoe${person}+new@gmail.com`,
      referral: { code: other.referral_code },
    });

    expect(second.body.result).toMatchObject({ outcome: 'no_referral', reason: 'already_referred' });
    const all = await t.api('GET', `/v1/referrals?program_id=${program.id}`);
    expect(all.body.data).toHaveLength(1);
    expect(all.body.data[0].referrer_id).toBe(inviter.id);
  });
});

describe('self-referral', () => {
  it("rejects a sign-up with an alias of the referrer's own email, through the referrer's code", async () => {
    const program = await makeProgram(t);
    const anna = await makeParticipant(t, program.id, { email: 'anna@gmail.com' });

    const signup = await signUp({
      program_id: program.id,
      email: 'a.n.n.a+x@gmail.com',
      referral: { code: anna.referral_code },
    });

    expect(signup.status).toBe(201);
    expect(signup.body.result).toMatchObject({ outcome: 'referral_rejected', reason: 'self_referral' });
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({
      referrer_id: anna.id,
      status: 'rejected',
      rejection_reason: 'self_referral',
      attribution_method: 'code',
    });
    expect(referral.referee_id).not.toBe(anna.id);
  });

  it('refuses an invite of the referrer to an alias of their own email', async () => {
    const program = await makeProgram(t);
    const person = tag();
    const referrer = await makeParticipant(t, program.id, { email: `anna${person}@gmail.com` });

    const res = await t.api('POST', '/v1/invites', {
      email: `A.n.n.a${person}+me@gmail.com`,
      participant_id: referrer.id,
    });

    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'self_referral', param: 'email' });
  });
});
