import type { EventData, EventType } from '../../domain/webhook-events.ts';
import type { InTransaction } from '../../store/executor.ts';
import type { EventRow } from '../../store/repositories/events.ts';
import type { OutboxMessage } from '../../store/repositories/outbox.ts';
import type { Actor } from '../audit.ts';
import type { Screening } from '../fraud/screening.ts';
import type { IdentityKeys } from '../identity/identity-keys.ts';
import { outboxMessage } from '../outbox-message.ts';

export interface EventResult {
  outcome:
    | 'referral_created'
    | 'referral_rejected'
    | 'no_referral'
    | 'referral_qualified'
    | 'not_qualified'
    | 'recorded'
    | 'rewards_reversed';
  reason: string | null;
  referral_ids: string[];
  reward_ids: string[];
}

/** What ingesting one event shares between its steps. */
export interface IngestContext {
  db: InTransaction;
  event: EventRow;
  /** The customer's email as sent: it enrols them, and is kept on the participant only, not the event. */
  email: string | null;
  /** When the event happened (occurred_at), as opposed to `now`, when it was received. */
  at: Date;
  now: Date;
  /** Messages written to the outbox together when the event is done. */
  outbox: OutboxMessage[];
  /** Who sent the event, for the audit entries of what it changes. */
  actor: Actor;
  /** The identities the event carries, normalised and hashed. */
  keys: IdentityKeys;
  screening: Screening;
}

export interface Ingested {
  programId: string | null;
  result: EventResult;
}

export function result(outcome: EventResult['outcome'], extra: Partial<EventResult> = {}): EventResult {
  return { outcome, reason: null, referral_ids: [], reward_ids: [], ...extra };
}

export function emit<T extends EventType>(ctx: IngestContext, topic: T, payload: EventData<T>): void {
  ctx.outbox.push(outboxMessage(topic, payload, ctx.now));
}
