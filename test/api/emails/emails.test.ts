import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeDueEmails } from '../../../src/services/emails/outgoing.ts';
import { enrollParticipant } from '../../../src/services/participants/participants.ts';
import { createEmailTestApp, type EmailTestApp } from '../../support/emails.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { rawHeader as header, type Received } from '../../support/smtp.ts';

// Vouch's own emails, end to end: written in the transaction of what causes them, sent over real
// SMTP to a server inside the test, in the reader's language, with one-click unsubscribe.

let t: EmailTestApp;
let programId: string;

const to = (address: string) => (r: Received) => r.envelope.to.includes(address);

/** Delivers what is due and answers the messages that arrived for this address, in order. */
async function inboxOf(address: string): Promise<Received[]> {
  await t.deliver();
  return t.smtp.received.filter(to(address));
}

/** A form post, as a browser's form or a mail client's one-click unsubscribe sends it. */
const postForm = (url: string, payload: string) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload,
  });

async function emailRows(participantId: string) {
  return t.store.db
    .selectFrom('emails')
    .selectAll()
    .where('participant_id', '=', participantId)
    .orderBy('id')
    .execute();
}

beforeAll(async () => {
  t = await createEmailTestApp();
  programId = (
    await makeProgram(t, {
      name: 'Northwind Coffee',
      rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: { amount: 1500, currency: 'USD' } },
    })
  ).id;
});
afterAll(() => t.close());

describe('the welcome email', () => {
  it('goes to a new participant with their link, in both parts, with the headers mail needs', async () => {
    const address = `${unique('ada')}@example.com`;
    const ada = await makeParticipant(t, programId, { name: 'Ada Lovelace', email: address });
    const [mail] = await inboxOf(address);
    expect(mail).toBeDefined();
    const received = mail as Received;
    expect(received.envelope).toEqual({ from: 'rewards@northwind.example', to: [address] });
    expect(received.mail.from?.value).toEqual([
      { name: 'Northwind Rewards', address: 'rewards@northwind.example' },
    ]);
    expect(received.mail.subject).toBe('Your referral link for Northwind Coffee');
    const link = `https://vouch.example.com/r/${ada.referral_code}`;
    expect(received.mail.text).toContain('Hello Ada,');
    expect(received.mail.text).toContain(link);
    expect(received.mail.text).toContain(
      'Your friends get $15, and you get $10 for each friend whose referral qualifies.',
    );
    expect(received.mail.html).toContain(`href="${link}"`);
    expect(received.mail.html).toContain('<html lang="en" dir="ltr">');
    const [row] = await emailRows(ada.id);
    expect(received.mail.messageId).toBe(`<${row?.id}@vouch.example.com>`);
    expect(row?.status).toBe('sent');
    const unsubscribe = `https://vouch.example.com/p/unsubscribe/${ada.id}.`;
    expect(header(received, 'List-Unsubscribe')).toMatch(
      new RegExp(`^<${unsubscribe.replaceAll('.', '\\.')}[\\w-]+>$`),
    );
    expect(header(received, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(received.mail.text).toContain(`Unsubscribe: ${unsubscribe}`);
  });

  it('is written in the participant’s language, right to left in Arabic', async () => {
    const de = `${unique('de')}@example.com`;
    const ar = `${unique('ar')}@example.com`;
    await makeParticipant(t, programId, { name: 'Grete', email: de, locale: 'de-AT' });
    await makeParticipant(t, programId, { email: ar, locale: 'ar' });
    const [german] = await inboxOf(de);
    const [arabic] = await inboxOf(ar);
    expect(german?.mail.subject).toContain('Northwind Coffee');
    expect(german?.mail.subject).not.toBe('Your referral link for Northwind Coffee');
    expect(german?.mail.text).toContain('Hallo Grete,');
    expect(german?.mail.html).toContain('<html lang="de" dir="ltr">');
    expect(arabic?.mail.html).toContain('<html lang="ar" dir="rtl">');
  });

  it('is not sent to a participant without an address, and a rolled-back enrolment sends nothing', async () => {
    const silent = await makeParticipant(t, programId, { email: null });
    const ghost = `${unique('ghost')}@example.com`;
    await expect(
      t.store.transaction(async (trx) => {
        await enrollParticipant(
          trx,
          { program_id: programId, external_id: unique('ghost'), email: ghost },
          new Date(),
        );
        throw new Error('the request failed after enrolling');
      }),
    ).rejects.toThrow('the request failed');
    expect(await inboxOf(ghost)).toEqual([]);
    expect(await emailRows(silent.id)).toEqual([]);
    const ghosts = await t.store.db
      .selectFrom('emails')
      .select('id')
      .where('to_address', '=', ghost)
      .execute();
    expect(ghosts).toEqual([]);
  });

  it('rejects a participant locale that is not a language tag, naming the field', async () => {
    const res = await t.api('POST', '/v1/participants', {
      program_id: programId,
      external_id: unique('bad'),
      locale: 'not a locale!',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_locale', param: 'locale' });
  });
});

describe('what a referrer is told', () => {
  it('a friend signed up (masked), then a reward earned with the day it becomes available', async () => {
    const address = `${unique('rita')}@example.com`;
    const rita = await makeParticipant(t, programId, { name: 'Rita', email: address });
    const friend = unique('friend');
    const signup = await t.api('POST', '/v1/events', {
      ...event('signup', friend, { referral: { code: rita.referral_code } }),
      customer: { external_id: friend, email: 'sam.smith@example.net' },
    });
    expect(signup.body.result.outcome).toBe('referral_created');
    await t.api('POST', '/v1/events', event('purchase', friend, { amount: 4200, currency: 'USD' }));
    const mails = await inboxOf(address);
    expect(mails.map((m) => m.mail.subject)).toEqual([
      'Your referral link for Northwind Coffee',
      'A friend joined Northwind Coffee through your link',
      'You earned $10',
    ]);
    const told = mails[1]?.mail.text ?? '';
    expect(told).toContain('s***@example.net signed up through your invitation.');
    expect(told).not.toContain('sam.smith');
    expect(mails[2]?.mail.text).toMatch(/It becomes available on \w{3} \d{1,2}, \d{4}/);
    const friendMails = await inboxOf('sam.smith@example.net');
    expect(friendMails.map((m) => m.mail.subject)).toContain('You earned $15');
  });

  it('a program paused reaches every active participant with an address', async () => {
    const program = (await makeProgram(t, { name: 'Paused Roasters' })).id;
    const a = `${unique('a')}@example.com`;
    const b = `${unique('b')}@example.com`;
    await makeParticipant(t, program, { email: a });
    const off = await makeParticipant(t, program, { email: b });
    await t.api('PATCH', `/v1/participants/${off.id}`, { status: 'disabled' });
    await t.deliver();
    const before = t.smtp.received.length;
    const paused = await t.api('PATCH', `/v1/programs/${program}`, { status: 'paused' });
    expect(paused.status).toBe(200);
    await t.deliver();
    const news = t.smtp.received.slice(before);
    expect(news.map((m) => [m.envelope.to[0], m.mail.subject])).toEqual([
      [a, 'Paused Roasters has paused its referral program'],
    ]);
  });
});

describe('unsubscribing', () => {
  async function enrolledWithWelcome() {
    const address = `${unique('una')}@example.com`;
    const una = await makeParticipant(t, programId, { email: address });
    const [welcome] = await inboxOf(address);
    const url = new URL(/<([^>]+)>/.exec(String(header(welcome as Received, 'List-Unsubscribe')))?.[1] ?? '');
    return { address, una, path: url.pathname };
  }

  it('opening the link changes nothing; its button does', async () => {
    const { una, path } = await enrolledWithWelcome();
    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Unsubscribe from the emails of Northwind Coffee');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const optOuts = () =>
      t.store.db.selectFrom('email_opt_outs').selectAll().where('participant_id', '=', una.id).execute();
    expect(await optOuts()).toEqual([]);
    const done = await postForm(path, '');
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are unsubscribed');
    expect((await optOuts()).map((o) => o.category).sort()).toEqual(['program', 'referrals', 'rewards']);
  });

  it('one-click (RFC 8058) stops the next emails at once, even one already written, but not a sign-in link', async () => {
    const { address, una, path } = await enrolledWithWelcome();
    const friend = unique('friend');
    // Written before the unsubscribe, sent after it: suppressed at send time.
    await t.api('POST', '/v1/events', {
      ...event('signup', friend, { referral: { code: una.referral_code } }),
      customer: { external_id: friend, email: `${friend}@example.org` },
    });
    await t.fanOut();
    const oneClick = await postForm(path, 'List-Unsubscribe=One-Click');
    expect(oneClick.statusCode).toBe(200);
    const again = await postForm(path, 'List-Unsubscribe=One-Click');
    expect(again.statusCode).toBe(200);
    expect(await inboxOf(address)).toHaveLength(1);
    const rows = await emailRows(una.id);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['welcome', 'sent'],
      ['friend_signed_up', 'suppressed'],
    ]);
    const asked = await postForm('/p/sign-in', new URLSearchParams({ email: address }).toString());
    expect(asked.statusCode).toBe(200);
    const mails = await inboxOf(address);
    expect(mails.map((m) => m.mail.subject)).toEqual([
      'Your referral link for Northwind Coffee',
      'Your sign-in link for Northwind Coffee',
    ]);
    expect(header(mails[1] as Received, 'List-Unsubscribe')).toBeUndefined();
  });

  it('a forged link is refused with a page', async () => {
    const { una } = await enrolledWithWelcome();
    for (const token of [
      `${una.id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
      'nothing',
      `par_x.${'b'.repeat(32)}`,
    ]) {
      const res = await postForm(`/p/unsubscribe/${token}`, '');
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('This unsubscribe link is not valid');
    }
    const optOuts = await t.store.db
      .selectFrom('email_opt_outs')
      .selectAll()
      .where('participant_id', '=', una.id)
      .execute();
    expect(optOuts).toEqual([]);
  });
});

describe('sending', () => {
  it('a crash after the server took an email sends it again with the same Message-ID', async () => {
    const address = `${unique('crash')}@example.com`;
    await makeParticipant(t, programId, { email: address });
    const now = new Date();
    await t.fanOut(now);
    const [leased] = await t.store.transaction((trx) => takeDueEmails(trx, now, 10 * 60_000, 1_000));
    expect(leased?.to_address).toBe(address);
    // The worker sent it, then died before recording it.
    expect(await t.mailer.send(leased as NonNullable<typeof leased>)).toEqual({ sent: true });
    expect(await t.deliver(now)).toBe(0);
    // Its lease runs out; another worker sends it again, recognisably the same message.
    await t.deliver(new Date(now.getTime() + 11 * 60_000));
    const copies = t.smtp.received.filter(to(address));
    expect(copies).toHaveLength(2);
    expect(copies[1]?.mail.messageId).toBe(copies[0]?.mail.messageId);
    const [row] = await t.store.db
      .selectFrom('emails')
      .selectAll()
      .where('to_address', '=', address)
      .execute();
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a refusal for good fails the email; a refusal for now tries it again later', async () => {
    const gone = `${unique('gone')}@example.com`;
    const busy = `${unique('busy')}@example.com`;
    t.smtp.refuse(gone, 550);
    t.smtp.refuse(busy, 451);
    await makeParticipant(t, programId, { email: gone });
    await makeParticipant(t, programId, { email: busy });
    await t.deliver();
    const rowOf = (address: string) =>
      t.store.db.selectFrom('emails').selectAll().where('to_address', '=', address).executeTakeFirstOrThrow();
    expect(await rowOf(gone)).toMatchObject({ status: 'failed', attempts: 1 });
    const waiting = await rowOf(busy);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting.last_error).toContain('451');
    expect(new Date(waiting.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 30_000);
    t.smtp.refuse(busy, 0);
  });
});
