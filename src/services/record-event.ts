import { decideAttribution } from '../domain/attribution.ts';
import { rewardCreatedPosting } from '../domain/ledger.ts';
import { decideQualification } from '../domain/qualification.ts';
import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { parseMoney } from '../lib/money.ts';
import type { Executor } from '../store/executor.ts';
import {
  claimEvent,
  type EventRow,
  findEventByExternalId,
  setEventOutcome,
} from '../store/repositories/events.ts';
import { insertPosting } from '../store/repositories/ledger.ts';
import { enqueue, type OutboxMessage } from '../store/repositories/outbox.ts';
import { findParticipantByExternalId } from '../store/repositories/participants.ts';
import {
  findPendingReferralsOfCustomer,
  findReferralForReferee,
  insertReferralIfAbsent,
  type ReferralRow,
  transitionPendingReferral,
} from '../store/repositories/referrals.ts';
import { insertRewards, type RewardRow } from '../store/repositories/rewards.ts';
import { createParticipant } from './participants.ts';
import { getProgram, type ProgramRow, programRewards } from './programs.ts';
import { type ReferralHint, resolveTouch } from './resolve-touch.ts';

export type { EventRow };

export interface EventInput {
  type: EventRow['type'];
  external_id: string;
  program_id?: string | undefined;
  customer: { external_id: string; email?: string | null | undefined };
  referral?: ReferralHint | undefined;
  amount?: number | undefined;
  currency?: string | undefined;
  occurred_at?: string | undefined;
}

export interface EventResult {
  outcome:
    | 'referral_created'
    | 'referral_rejected'
    | 'no_referral'
    | 'referral_qualified'
    | 'not_qualified'
    | 'recorded';
  reason: string | null;
  referral_ids: string[];
  reward_ids: string[];
}

// Clients' clocks drift; a little is tolerated, a date far ahead is a bug on their side.
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

function result(outcome: EventResult['outcome'], extra: Partial<EventResult> = {}): EventResult {
  return { outcome, reason: null, referral_ids: [], reward_ids: [], ...extra };
}

function occurredAt(input: EventInput, now: Date): Date {
  if (input.occurred_at === undefined) return now;
  const at = new Date(input.occurred_at);
  if (Number.isNaN(at.getTime())) {
    throw new AppError('invalid_format', 'occurred_at must be an RFC 3339 date-time.', 'occurred_at');
  }
  if (at.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new AppError('occurred_at_in_future', 'occurred_at must not be in the future.', 'occurred_at');
  }
  return at;
}

function checkAmount(input: EventInput): void {
  if (input.type === 'signup') return;
  if (input.amount === undefined)
    throw new AppError('missing_field', `A ${input.type} needs amount.`, 'amount');
  if (input.currency === undefined)
    throw new AppError('missing_field', `A ${input.type} needs currency.`, 'currency');
  parseMoney(input.amount, input.currency);
}

/**
 * Ingests one event. Idempotent by (type, external_id): a repeat returns the stored event and
 * changes nothing. Must run inside a transaction.
 */
export async function recordEvent(
  db: Executor,
  input: EventInput,
  now: Date,
): Promise<{ event: EventRow; replayed: boolean }> {
  const existing = await findEventByExternalId(db, input.type, input.external_id);
  if (existing) return { event: existing, replayed: true };
  const at = occurredAt(input, now);
  checkAmount(input);
  // An id that names nothing is a 404 for every type; a purchase would otherwise be stored
  // against a program that does not exist and silently never qualify anything.
  if (input.program_id !== undefined) await getProgram(db, input.program_id, 'program_id');

  const event: EventRow = {
    id: newId('evt'),
    type: input.type,
    external_id: input.external_id,
    program_id: input.program_id ?? null,
    customer_external_id: input.customer.external_id,
    customer_email: input.customer.email?.trim() || null,
    amount: input.amount ?? null,
    currency: input.currency ?? null,
    occurred_at: at.toISOString(),
    received_at: now.toISOString(),
    result: '{}',
  };
  if (!(await claimEvent(db, event))) {
    const winner = await findEventByExternalId(db, input.type, input.external_id);
    if (!winner) throw new Error('event claim conflicted but no row was found');
    return { event: winner, replayed: true };
  }

  const ctx: IngestContext = { db, event, at, now: now.toISOString(), outbox: [] };
  const outcome =
    input.type === 'signup'
      ? await ingestSignup(ctx, input.referral)
      : input.type === 'purchase'
        ? await ingestPurchase(ctx)
        : { programId: event.program_id, result: result('recorded') };
  event.result = JSON.stringify(outcome.result);
  event.program_id = outcome.programId;
  await setEventOutcome(db, event.id, { result: event.result, program_id: event.program_id });
  await enqueue(db, ctx.outbox);
  return { event, replayed: false };
}

interface IngestContext {
  db: Executor;
  event: EventRow;
  /** When the event happened (occurred_at), as opposed to `now`, when it was received. */
  at: Date;
  now: string;
  outbox: OutboxMessage[];
}

interface Ingested {
  programId: string | null;
  result: EventResult;
}

function emit(ctx: IngestContext, topic: string, payload: Record<string, unknown>): void {
  ctx.outbox.push({ id: newId('obx'), topic, payload, createdAt: ctx.now });
}

async function ensureCustomer(ctx: IngestContext, program: ProgramRow) {
  const { db, event } = ctx;
  const found = await findParticipantByExternalId(db, program.id, event.customer_external_id);
  if (found) return found;
  const input = {
    program_id: program.id,
    external_id: event.customer_external_id,
    email: event.customer_email,
  };
  return (await createParticipant(db, input, new Date(ctx.now))).participant;
}

async function ingestSignup(ctx: IngestContext, hint: ReferralHint | undefined): Promise<Ingested> {
  const { db, event } = ctx;
  const touch = hint ? await resolveTouch(db, hint) : null;
  if (!touch) {
    if (event.program_id) await ensureCustomer(ctx, await getProgram(db, event.program_id, 'program_id'));
    return { programId: event.program_id, result: result('no_referral') };
  }
  if (event.program_id && event.program_id !== touch.programId) {
    const param = touch.method === 'click' ? 'referral.click_id' : 'referral.code';
    throw new AppError(
      'program_mismatch',
      `The referral belongs to another program than ${event.program_id}.`,
      param,
    );
  }
  const program = await getProgram(db, touch.programId);
  const known = await findParticipantByExternalId(db, program.id, event.customer_external_id);
  const alreadyReferred = known
    ? (await findReferralForReferee(db, program.id, known.id)) !== undefined
    : false;
  const decision = decideAttribution(touch, {
    customerExternalId: event.customer_external_id,
    customerEmail: event.customer_email,
    occurredAt: ctx.at,
    windowDays: program.attribution_window_days,
    programActive: program.status === 'active',
    alreadyReferred,
  });
  const referee = known ?? (await ensureCustomer(ctx, program));
  if (decision.outcome === 'ignored') {
    return { programId: program.id, result: result('no_referral', { reason: decision.reason }) };
  }

  const referral: ReferralRow = {
    id: newId('ref'),
    program_id: program.id,
    referrer_id: touch.referrer.id,
    referee_id: referee.id,
    status: decision.outcome === 'create' ? 'pending' : 'rejected',
    rejection_reason: decision.outcome === 'rejected' ? decision.reason : null,
    attribution_method: touch.method,
    code: touch.code,
    click_id: touch.clickId,
    signup_event_id: event.id,
    qualifying_event_id: null,
    created_at: ctx.now,
    expires_at: (decision.outcome === 'create' ? decision.expiresAt : ctx.at).toISOString(),
    qualified_at: null,
  };
  if (!(await insertReferralIfAbsent(db, referral))) {
    // Another sign-up for the same person won the race; it holds the one referral.
    return { programId: program.id, result: result('no_referral', { reason: 'already_referred' }) };
  }
  if (decision.outcome === 'rejected') {
    emit(ctx, 'referral.rejected', { referral_id: referral.id, reason: decision.reason });
    return {
      programId: program.id,
      result: result('referral_rejected', { reason: decision.reason, referral_ids: [referral.id] }),
    };
  }
  emit(ctx, 'referral.created', { referral_id: referral.id });
  return { programId: program.id, result: result('referral_created', { referral_ids: [referral.id] }) };
}

async function ingestPurchase(ctx: IngestContext): Promise<Ingested> {
  const { db, event } = ctx;
  const pending = await findPendingReferralsOfCustomer(db, event.customer_external_id, event.program_id);
  if (pending.length === 0) {
    return {
      programId: event.program_id,
      result: result('not_qualified', { reason: 'no_pending_referral' }),
    };
  }
  const qualified: string[] = [];
  const rewardIds: string[] = [];
  let expired = false;
  for (const referral of pending) {
    const program = await getProgram(db, referral.program_id);
    const decision = decideQualification(
      {
        status: referral.status,
        referrerId: referral.referrer_id,
        refereeId: referral.referee_id,
        expiresAt: new Date(referral.expires_at),
      },
      programRewards(program),
      ctx.at,
    );
    if (decision.outcome === 'expire') {
      expired ||= await transitionPendingReferral(db, referral.id, { status: 'expired' });
      continue;
    }
    if (decision.outcome !== 'qualify') continue;
    const won = await transitionPendingReferral(db, referral.id, {
      status: 'qualified',
      qualifying_event_id: event.id,
      qualified_at: ctx.now,
    });
    if (!won) continue;
    qualified.push(referral.id);
    emit(ctx, 'referral.qualified', { referral_id: referral.id, event_id: event.id });
    rewardIds.push(...(await grantRewards(ctx, referral, decision.rewards)));
  }
  const programId = event.program_id ?? pending[0]?.program_id ?? null;
  if (qualified.length === 0) {
    return {
      programId,
      result: result('not_qualified', { reason: expired ? 'outside_window' : 'already_qualified' }),
    };
  }
  return {
    programId,
    result: result('referral_qualified', { referral_ids: qualified, reward_ids: rewardIds }),
  };
}

async function grantRewards(
  ctx: IngestContext,
  referral: ReferralRow,
  earned: { side: RewardRow['side']; participantId: string; amount: number; currency: string }[],
): Promise<string[]> {
  const rows: RewardRow[] = earned.map((r) => ({
    id: newId('rwd'),
    program_id: referral.program_id,
    referral_id: referral.id,
    participant_id: r.participantId,
    side: r.side,
    amount: r.amount,
    currency: r.currency,
    status: 'pending',
    created_at: ctx.now,
  }));
  await insertRewards(ctx.db, rows);
  for (const reward of rows) {
    await insertPosting(ctx.db, rewardCreatedPosting(reward.participant_id, reward.amount, reward.currency), {
      postingId: newId('pst'),
      programId: reward.program_id,
      rewardId: reward.id,
      createdAt: ctx.now,
      newEntryId: () => newId('led'),
    });
    emit(ctx, 'reward.created', { reward_id: reward.id, referral_id: referral.id });
  }
  return rows.map((r) => r.id);
}
