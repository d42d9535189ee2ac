import { EMAIL_KINDS, type EmailKind, mayEmail } from '../../domain/emails.ts';
import { dayWords, earnedWords, moneyWords } from '../../domain/offer.ts';
import { referralUrl } from '../../domain/referral-codes.ts';
import { firstNameOf, maskEmail } from '../../domain/shown-identity.ts';
import { chooseLocale, type Locale } from '../../lib/i18n/locales.ts';
import { type Translate, translator } from '../../lib/i18n/messages.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction } from '../../store/executor.ts';
import { type EmailRow, insertEmails, optOutsOf } from '../../store/repositories/emails.ts';
import {
  findParticipant,
  listActiveParticipantsOfProgram,
  type ParticipantRow,
} from '../../store/repositories/participants.ts';
import { listPayoutLines } from '../../store/repositories/payouts.ts';
import { findProgram, type ProgramRow } from '../../store/repositories/programs.ts';
import { findReferral } from '../../store/repositories/referrals.ts';
import { findReward } from '../../store/repositories/rewards.ts';
import type { OutboxTable } from '../../store/schema.ts';
import { rulesOf } from '../programs/programs.ts';
import { referrerOffer } from '../sharing/referrer-words.ts';
import { type EmailFacts, writeEmail } from './email-content.ts';
import { unsubscribeToken } from './unsubscribe-tokens.ts';

/** What writing emails needs beyond the database: where links lead, and the key of unsubscribe links. */
export interface Mailing {
  publicUrl: string;
  secret: string;
}

/** What an email is written with: its reader, their program, their language. */
export interface Writing {
  participant: ParticipantRow;
  program: ProgramRow;
  locale: Locale;
  t: Translate;
  publicUrl: string;
}

/** One email to write: to whom, and what it says. */
interface Addressed {
  participantId: string;
  facts: (writing: Writing) => EmailFacts;
}

const welcome = ({ participant, program, locale, publicUrl }: Writing): EmailFacts => ({
  kind: 'welcome',
  link: referralUrl(publicUrl, participant.referral_code),
  offer: referrerOffer({ programName: program.name, rules: rulesOf(program) }, locale),
});

/** Who an outbox message tells what; most messages tell nobody. */
async function addressedBy(db: Executor, message: OutboxTable): Promise<Addressed[]> {
  const data = JSON.parse(message.payload) as Record<string, string | number | null>;
  switch (message.topic) {
    case 'participant.created':
      return [{ participantId: String(data.participant_id), facts: welcome }];
    case 'referral.created': {
      const referral = await findReferral(db, String(data.referral_id));
      if (!referral) return [];
      const friend = await findParticipant(db, referral.referee_id);
      const shown = friend?.email ? maskEmail(friend.email) : firstNameOf(friend?.name ?? null);
      return [
        {
          participantId: referral.referrer_id,
          facts: ({ t }) => ({ kind: 'friend_signed_up', friend: shown ?? t('portal.friend_unknown') }),
        },
      ];
    }
    case 'reward.created':
    case 'reward.approved':
    case 'reward.reversed': {
      const reward = await findReward(db, String(data.reward_id));
      if (!reward) return [];
      const facts = ({ locale, t }: Writing): EmailFacts => {
        const words = earnedWords(reward, locale, t);
        if (message.topic === 'reward.created')
          return { kind: 'reward_earned', reward: words, availableOn: dayWords(reward.available_at, locale) };
        if (message.topic === 'reward.approved') return { kind: 'reward_available', reward: words };
        return {
          kind: 'reward_clawed_back',
          reward: words,
          amount: moneyWords(Number(data.amount), reward.currency, locale, t),
          reason: String(data.reason),
        };
      };
      return [{ participantId: reward.participant_id, facts }];
    }
    case 'payout.paid': {
      const lines = await listPayoutLines(db, String(data.payout_id));
      return lines.map((line) => ({
        participantId: line.participant_id,
        facts: ({ locale, t }) => ({
          kind: 'payout_sent',
          amount: moneyWords(line.amount, line.currency, locale, t),
        }),
      }));
    }
    case 'program.paused':
    case 'program.archived': {
      const kind = message.topic === 'program.paused' ? 'program_paused' : 'program_ended';
      const ids = await listActiveParticipantsOfProgram(db, String(data.program_id));
      return ids.map((participantId) => ({ participantId, facts: () => ({ kind }) }));
    }
    default:
      return [];
  }
}

/**
 * Writes the emails that outbox messages cause, in the transaction that hands the messages on, so
 * that each cause writes its emails once. Each is rendered now in its reader's language; a
 * participant with no address, disabled, or opted out of its category gets none.
 */
export async function queueEmails(
  db: InTransaction,
  messages: readonly OutboxTable[],
  mailing: Mailing,
  now: Date,
): Promise<number> {
  const rows: EmailRow[] = [];
  const programs = new Map<string, ProgramRow | undefined>();
  for (const message of messages) {
    const addressed = await addressedBy(db, message);
    if (addressed.length === 0) continue;
    const optOuts = await optOutsOf(
      db,
      addressed.map((a) => a.participantId),
    );
    for (const { participantId, facts } of addressed) {
      const participant = await findParticipant(db, participantId);
      if (!participant) continue;
      // A program's news goes to all its participants: its row is read once.
      if (!programs.has(participant.program_id))
        programs.set(participant.program_id, await findProgram(db, participant.program_id));
      const program = programs.get(participant.program_id);
      if (!program) continue;
      const row = emailFor(participant, program, facts, mailing, now, `${message.id}:${participantId}`);
      if (row && mayEmail(row.kind as EmailKind, optOuts.get(participantId) ?? new Set())) rows.push(row);
    }
  }
  await insertEmails(db, rows);
  return rows.length;
}

/** One email to a participant, written in their language, ready to send; none without an address or when disabled. */
export function emailFor(
  participant: ParticipantRow,
  program: ProgramRow,
  facts: (writing: Writing) => EmailFacts,
  mailing: Mailing,
  now: Date,
  cause: string,
  /** The language to write in when the participant has none of their own (the page they asked from). */
  fallbackLocale?: string,
): EmailRow | null {
  if (!participant.email || participant.status !== 'active') return null;
  const locale = chooseLocale({ requested: participant.locale ?? undefined, fallback: fallbackLocale });
  const said = facts({ participant, program, locale, t: translator(locale), publicUrl: mailing.publicUrl });
  const unsubscribeUrl =
    EMAIL_KINDS[said.kind] === 'transactional'
      ? null
      : `${mailing.publicUrl}/p/unsubscribe/${unsubscribeToken(mailing.secret, participant.id)}`;
  const content = writeEmail(said, {
    locale,
    programName: program.name,
    firstName: firstNameOf(participant.name),
    portalUrl: `${mailing.publicUrl}/p/sign-in?${new URLSearchParams({ program: program.id, locale })}`,
    unsubscribeUrl,
  });
  const at = now.toISOString();
  return {
    id: newId('eml'),
    cause,
    participant_id: participant.id,
    kind: said.kind,
    to_address: participant.email,
    locale,
    subject: content.subject,
    text_body: content.text,
    html_body: content.html,
    unsubscribe_url: unsubscribeUrl,
    status: 'pending',
    attempts: 0,
    next_attempt_at: at,
    last_error: null,
    created_at: at,
    sent_at: null,
  };
}
