import type { Balance } from '../domain/ledger.ts';
import type { AuditRow } from '../services/audit.ts';
import type { PayoutRow } from '../services/payouts.ts';
import { type ProgramRow, rulesOf } from '../services/programs.ts';
import type { EventResult, EventRow } from '../services/record-event.ts';
import type { Page } from '../store/executor.ts';
import type { ParticipantRow } from '../store/repositories/participants.ts';
import type { ReferralRow } from '../store/repositories/referrals.ts';
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
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function referralUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/r/${encodeURIComponent(code)}`;
}

export function presentParticipant(row: ParticipantRow, balances: Balance[], publicUrl: string) {
  return {
    id: row.id,
    object: 'participant' as const,
    program_id: row.program_id,
    external_id: row.external_id,
    email: row.email,
    name: row.name,
    referral_code: row.referral_code,
    referral_url: referralUrl(publicUrl, row.referral_code),
    status: row.status,
    balances,
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
    customer: { external_id: row.customer_external_id, email: row.customer_email },
    amount: row.amount,
    currency: row.currency,
    occurred_at: row.occurred_at,
    received_at: row.received_at,
    purchase_external_id: row.purchase_external_id,
    result: JSON.parse(row.result) as EventResult,
  };
}

export function presentReferral(row: ReferralRow) {
  return { object: 'referral' as const, ...row };
}

export function presentReward(row: RewardRow) {
  return { object: 'reward' as const, ...row };
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

export function presentList<R, T>(page: Page<R>, present: (row: R) => T) {
  return { object: 'list' as const, data: page.data.map(present), has_more: page.hasMore };
}
