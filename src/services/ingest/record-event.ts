import type { EventInput } from '../../domain/inputs/events.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { parseAmount, parseMoney } from '../../lib/money.ts';
import type { InTransaction } from '../../store/executor.ts';
import {
  claimEvent,
  type EventRow,
  findEventByExternalId,
  setEventOutcome,
} from '../../store/repositories/events.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import type { Actor } from '../audit.ts';
import type { Screening } from '../fraud/screening.ts';
import { identityKeys } from '../identity/identity-keys.ts';
import { getProgram } from '../programs/programs.ts';
import type { IngestContext, Ingested } from './ingest-context.ts';
import { ingestQualifyingEvent } from './ingest-qualifying-event.ts';
import { ingestRefund } from './ingest-refund.ts';
import { ingestSignup } from './ingest-signup.ts';

export type { EventResult } from './ingest-context.ts';
export type { EventInput, EventRow };

// Clients' clocks drift; a little is tolerated, a date far ahead is a bug on their side.
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

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

/** An order's money, checked like every amount Vouch stores (no -1, 1e308 or unknown currency). */
function checkOrder(input: EventInput): void {
  if (input.amount !== undefined && input.currency !== undefined) parseMoney(input.amount, input.currency);
}

function loyaltyPoints(input: EventInput): number | null {
  if (input.type !== 'purchase' || input.loyalty_points === undefined) return null;
  return parseAmount(input.loyalty_points, 'loyalty_points');
}

/**
 * Ingests one event. Idempotent by (type, external_id): a repeat returns the stored event and
 * changes nothing. Must run inside a transaction.
 */
export async function recordEvent(
  db: InTransaction,
  input: EventInput,
  now: Date,
  actor: Actor,
  screening: Screening,
): Promise<{ event: EventRow; replayed: boolean }> {
  const at = occurredAt(input, now);
  checkOrder(input);
  const keys = identityKeys(
    screening.hash,
    { ...input.context, email: input.customer.email, phone: input.customer.phone },
    { email: 'customer.email', phone: 'customer.phone', ip: 'context.ip' },
  );
  // An id that names nothing is a 404 for every type; a purchase would otherwise be stored
  // against a program that does not exist and silently never qualify anything.
  if (input.program_id !== undefined) await getProgram(db, input.program_id, 'program_id');

  const event: EventRow = {
    id: newId('evt'),
    type: input.type,
    external_id: input.external_id,
    program_id: input.program_id ?? null,
    customer_external_id: input.customer.external_id,
    amount: input.amount ?? null,
    currency: input.currency ?? null,
    occurred_at: at.toISOString(),
    received_at: now.toISOString(),
    result: '{}',
    purchase_external_id: input.type === 'refund' ? input.purchase_external_id : null,
    loyalty_points: loyaltyPoints(input),
    name: input.type === 'custom' ? input.name : null,
  };
  // Claiming (type, external_id) comes first, so a concurrent duplicate waits here (PostgreSQL)
  // or runs after this one (SQLite), and then answers with the stored event.
  if (!(await claimEvent(db, event))) {
    const first = await findEventByExternalId(db, input.type, input.external_id);
    if (!first) throw new Error('event claim conflicted but no row was found');
    return { event: first, replayed: true };
  }

  const email = input.customer.email?.trim() || null;
  const ctx: IngestContext = { db, event, email, at, now, outbox: [], actor, keys, screening };
  const outcome = await ingest(ctx, input);
  event.result = JSON.stringify(outcome.result);
  event.program_id = outcome.programId;
  await setEventOutcome(db, event.id, { result: event.result, program_id: event.program_id });
  await enqueue(db, ctx.outbox);
  return { event, replayed: false };
}

function ingest(ctx: IngestContext, input: EventInput): Promise<Ingested> {
  switch (input.type) {
    case 'signup':
      return ingestSignup(ctx, input.referral);
    case 'purchase':
    case 'custom':
      return ingestQualifyingEvent(ctx);
    case 'refund':
      return ingestRefund(ctx);
  }
}
