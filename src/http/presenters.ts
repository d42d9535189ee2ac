import type { AttributionTrail } from '../domain/attribution.ts';
import type { Balance, InKindBalance } from '../domain/ledger.ts';
import { referralUrl } from '../domain/referral-codes.ts';
import type { Fulfilment } from '../domain/reward-kinds.ts';
import type { AuditRow } from '../services/audit.ts';
import type { ReviewRow } from '../services/fraud/reviews.ts';
import type { EventResult, EventRow } from '../services/ingest/record-event.ts';
import type { InviteRow } from '../services/participants/invites.ts';
import type { ReferralView } from '../services/participants/referrals.ts';
import type { PayoutRow } from '../services/payouts/payouts.ts';
import { embedOriginsOf, fraudSettingsOf, type ProgramRow, rulesOf } from '../services/programs/programs.ts';
import type { FulfilmentTaskView } from '../services/rewards/fulfilment-tasks.ts';
import type { RewardPool } from '../services/rewards/reward-pools.ts';
import type { DeliveryWithAttempts } from '../services/webhooks/webhook-dispatch.ts';
import type { WebhookEndpointRow } from '../services/webhooks/webhook-endpoints.ts';
import type { Page } from '../store/executor.ts';
import type { LinkRow } from '../store/repositories/identities.ts';
import type { ParticipantRow } from '../store/repositories/participants.ts';
import type { RewardRow } from '../store/repositories/rewards.ts';

// Rows become API objects here and only here, so the wire format has one definition per resource.

export function presentProgram(row: ProgramRow) {
  const rules = rulesOf(row);
  return {
    id: row.id,
    object: 'program' as const,
    name: row.name,
    landing_url: row.landing_url,
    status: row.status,
    rewards: {
      referrer: rules.referrer,
      referee: rules.referee,
      referrer_tiers: rules.referrer_tiers,
      milestones: rules.milestones,
    },
    qualification: rules.qualification,
    caps: rules.caps,
    rules_version: row.rules_version,
    attribution_window_days: row.attribution_window_days,
    reward_hold_days: row.reward_hold_days,
    payout_minimums: JSON.parse(row.payout_minimums) as Record<string, number>,
    tax_reporting_thresholds: JSON.parse(row.tax_reporting_thresholds) as Record<string, number>,
    attribution_model: row.attribution_model,
    fraud: fraudSettingsOf(row.fraud_settings),
    embed_origins: embedOriginsOf(row),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentParticipant(
  row: ParticipantRow,
  balances: { cash: Balance[]; inKind: InKindBalance[] },
  links: LinkRow[],
  publicUrl: string,
) {
  return {
    id: row.id,
    object: 'participant' as const,
    program_id: row.program_id,
    external_id: row.external_id,
    email: row.email,
    name: row.name,
    segment: row.segment,
    locale: row.locale,
    referral_code: row.referral_code,
    referral_url: referralUrl(publicUrl, row.referral_code),
    status: row.status,
    balances: balances.cash,
    rewards_in_kind: balances.inKind,
    linked_participants: links.map((l) => ({
      id: l.linked_participant_id,
      kind: l.kind,
      linked_at: l.created_at,
    })),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentEvent(row: EventRow) {
  return {
    id: row.id,
    object: 'event' as const,
    type: row.type,
    external_id: row.external_id,
    program_id: row.program_id,
    customer: { external_id: row.customer_external_id },
    amount: row.amount,
    currency: row.currency,
    occurred_at: row.occurred_at,
    received_at: row.received_at,
    purchase_external_id: row.purchase_external_id,
    name: row.name,
    result: JSON.parse(row.result) as EventResult,
  };
}

export function presentReferral(view: ReferralView) {
  const {
    attribution,
    fraud_outcome,
    fraud_score,
    signals,
    referee_email_hash: _email,
    signup_ip_hash: _ip,
    signup_subnet_hash: _subnet,
    ...fields
  } = view;
  return {
    object: 'referral' as const,
    ...fields,
    attribution: attribution === null ? null : (JSON.parse(attribution) as AttributionTrail),
    fraud: {
      outcome: fraud_outcome,
      score: fraud_score,
      signals: signals.map((s) => ({
        rule: s.rule,
        stage: s.stage,
        score: s.score,
        reason: s.reason,
        created_at: s.created_at,
      })),
    },
  };
}

export function presentReward(row: RewardRow) {
  const { pool_id: _inFulfilment, ...fields } = row;
  const fulfilment = row.fulfilment === null ? null : (JSON.parse(row.fulfilment) as Fulfilment);
  return { object: 'reward' as const, ...fields, fulfilment };
}

export function presentPayout(row: PayoutRow) {
  const { open_key: _internal, ...fields } = row;
  return { object: 'payout' as const, ...fields };
}

export function presentAuditEntry(row: AuditRow) {
  return {
    object: 'audit_entry' as const,
    ...row,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

export function presentInvite(row: InviteRow) {
  const { email_hash: _hash, ...fields } = row;
  return { object: 'invite' as const, ...fields };
}

export function presentReview(row: ReviewRow) {
  return { object: 'review' as const, ...row };
}

export function presentList<R, T>(page: Page<R>, present: (row: R) => T) {
  return { object: 'list' as const, data: page.data.map(present), has_more: page.hasMore };
}

export function presentPool(pool: RewardPool) {
  return { object: 'reward_pool' as const, ...pool };
}

/** A closed task keeps one close time and actor; which fields show them depends on how it closed. */
export function presentTask(row: FulfilmentTaskView) {
  const { completed_at, completed_by, recipient, ...fields } = row;
  const canceled = row.status === 'canceled';
  return {
    object: 'fulfilment_task' as const,
    ...fields,
    recipient: {
      participant_id: recipient.participant_id,
      side: recipient.side,
      external_id: recipient.external_id,
      email: recipient.email,
      name: recipient.name,
    },
    kind: recipient.kind,
    amount: recipient.amount,
    currency: recipient.currency,
    completed_at: canceled ? null : completed_at,
    completed_by: canceled ? null : completed_by,
    canceled_at: canceled ? completed_at : null,
    canceled_by: canceled ? completed_by : null,
  };
}

export function presentEndpoint(row: WebhookEndpointRow) {
  const { secret: _shownOnce, previous_secret: _neverShown, deleted_at: _deleted, ...fields } = row;
  return { object: 'webhook_endpoint' as const, ...fields, events: JSON.parse(row.events) as string[] };
}

export function presentDelivery(row: DeliveryWithAttempts) {
  // The stored count restarts at a replay, for the retry schedule; `attempts` counts them all.
  const { payload: _sent, locked_until: _internal, attempts: _sinceScheduled, ...fields } = row;
  const attempt_log = row.attempt_log.map(({ attempted_at, status_code, error, duration_ms }) => ({
    attempted_at,
    status_code,
    error,
    duration_ms,
  }));
  return { object: 'webhook_delivery' as const, ...fields, attempts: attempt_log.length, attempt_log };
}
