// Timestamps are RFC 3339 UTC strings with milliseconds: portable, and they sort as text.
// Amounts are integers in minor units. JSON is stored as text on both dialects.

export interface SettingsTable {
  key: string;
  value: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  kind: 'secret' | 'publishable';
  /** JSON: the key's scopes (`["admin"]`, `["read","events:write"]`); `[]` for a publishable key. */
  scopes: string;
  prefix: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ProgramsTable {
  id: string;
  name: string;
  landing_url: string;
  status: 'active' | 'paused' | 'archived';
  /** JSON: the current incentive rules (reward-rules.ts), version `rules_version`. */
  rewards: string;
  rules_version: number;
  attribution_window_days: number;
  reward_hold_days: number;
  /** JSON: the smallest balance a payout run pays, per currency. */
  payout_minimums: string;
  /** JSON: per currency, the yearly payout total from which a participant is reported for tax. */
  tax_reporting_thresholds: string;
  /** Which touch wins among several of the same source: the first or the last. */
  attribution_model: 'first_touch' | 'last_touch';
  /** JSON: fraud settings as sent; missing fields take the defaults. */
  fraud_settings: string;
  /** JSON: the origins whose pages may embed the share widget (0023), canonical, e.g. ["https://shop.example.com"]. */
  embed_origins: string;
  created_at: string;
  updated_at: string;
}

export interface ParticipantsTable {
  id: string;
  program_id: string;
  external_id: string;
  email: string | null;
  name: string | null;
  referral_code: string;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
  /** The business's grouping of the participant (`vip`, `employees`); rules may require one. */
  segment: string | null;
  /** Their language (0022), set by the API or chosen in the portal: emails are written in it. */
  locale: string | null;
}

export interface ReferralCodesTable {
  /** Upper-cased code: codes are unique per deployment, case-insensitively. */
  code_key: string;
  code: string;
  participant_id: string;
  program_id: string;
  created_at: string;
}

/** A one-time link into the referrer's portal (0021): opened once, within a minute. */
export interface PortalSignInsTable {
  /** SHA-256 of the link's token: the token itself is only in the URL handed out. */
  token_hash: string;
  participant_id: string;
  locale: string | null;
  /** Where the portal's way back leads (the business's account page). */
  return_url: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** `api`: asked for by the business's backend, opened at once; `email`: a magic link (0022). */
  channel: 'api' | 'email';
}

/** A signed-in referrer, held by the vouch_portal cookie (0021). */
export interface PortalSessionsTable {
  token_hash: string;
  participant_id: string;
  locale: string | null;
  return_url: string | null;
  created_at: string;
  expires_at: string;
  /** Signed out (or signed out everywhere); null while the session lasts. */
  ended_at: string | null;
}

/** A widget token (0023): an hour's read of one referrer's widget, stored as the token's hash. */
export interface WidgetTokensTable {
  token_hash: string;
  participant_id: string;
  created_at: string;
  expires_at: string;
}

/** One use of a share button or the copy button (0021): the funnel counts them. */
export interface SharesTable {
  id: string;
  program_id: string;
  participant_id: string;
  channel: string;
  /** Where the button was: the portal, the widget, the share page. */
  source: 'portal' | 'widget' | 'share_page';
  created_at: string;
}

/** One email to one participant (0022), rendered when it was caused and sent by the worker. */
export interface EmailsTable {
  id: string;
  /** What caused it ("obx_…:par_…", "sign_in:…"): unique, so a cause writes one email per person. */
  cause: string;
  participant_id: string;
  kind: string;
  to_address: string;
  locale: string;
  subject: string;
  text_body: string;
  html_body: string;
  /** The one-click unsubscribe URL; null for a transactional email. */
  unsubscribe_url: string | null;
  status: 'pending' | 'sent' | 'failed' | 'suppressed';
  attempts: number;
  /** Due from then; a worker sending it pushes it past its lease. */
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** A participant who wants no more emails of one category (0022). */
export interface EmailOptOutsTable {
  participant_id: string;
  category: string;
  created_at: string;
}

export interface ClicksTable {
  id: string;
  program_id: string;
  participant_id: string;
  code: string;
  occurred_at: string;
  ip_hash: string | null;
  user_agent: string | null;
  referer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  /** The browser's vouch_device cookie: a random id Vouch made, not personal data. */
  device_id: string | null;
}

export interface EventsTable {
  id: string;
  type: 'signup' | 'purchase' | 'refund' | 'custom';
  external_id: string;
  program_id: string | null;
  customer_external_id: string;
  amount: number | null;
  currency: string | null;
  occurred_at: string;
  received_at: string;
  result: string;
  /** A refund's purchase (its external_id); null for other types. */
  purchase_external_id: string | null;
  /** A custom event's name (`trial_converted`); null for other types. */
  name: string | null;
  /** Points the business's own loyalty programme gave for this purchase. */
  loyalty_points: number | null;
}

export interface ReferralsTable {
  id: string;
  program_id: string;
  referrer_id: string;
  referee_id: string;
  status: 'pending' | 'qualified' | 'rejected' | 'expired';
  rejection_reason: string | null;
  attribution_method: AttributionMethod;
  code: string;
  click_id: string | null;
  signup_event_id: string;
  qualifying_event_id: string | null;
  created_at: string;
  expires_at: string;
  qualified_at: string | null;
  /** The program's rules version when the referral was made; it qualifies under those. */
  rules_version: number;
  unrewarded_reason: string | null;
  /** JSON: the attribution trail (touches considered, the one chosen and why); null before 0006. */
  attribution: string | null;
  /** Keyed hashes of the referee's normalised email and sign-up network, for matching and fraud rules. */
  referee_email_hash: string | null;
  signup_ip_hash: string | null;
  signup_subnet_hash: string | null;
  fraud_outcome: 'allow' | 'review' | 'block';
  fraud_score: number;
  /** When the sign-up happened: its event's occurred_at, else when it was received (0011). */
  signed_up_at: string;
}

export type AttributionMethod = 'click' | 'code' | 'invite' | 'device';

export type IdentityKind = 'email' | 'phone' | 'device' | 'ip_ua' | 'payment';

export interface ParticipantIdentitiesTable {
  participant_id: string;
  program_id: string;
  kind: IdentityKind;
  hash: string;
  first_seen_at: string;
  last_seen_at: string;
}

/** A time (event time) a participant was seen from an IP address + user agent (0011). */
export interface IpUaSightingsTable {
  participant_id: string;
  hash: string;
  seen_at: string;
}

export interface ParticipantLinksTable {
  participant_id: string;
  linked_participant_id: string;
  program_id: string;
  /** The identity kind both records share. */
  kind: IdentityKind;
  created_at: string;
}

export interface InvitesTable {
  id: string;
  program_id: string;
  referrer_id: string;
  /** Kept to send the invitation; null once erased. Matching uses the hash. */
  email: string | null;
  email_hash: string;
  /** Set when the visitor of a click left their email (a lead captured on the landing page). */
  click_id: string | null;
  created_at: string;
}

export interface FraudSignalsTable {
  id: string;
  referral_id: string;
  program_id: string;
  rule: string;
  stage: 'signup' | 'qualification';
  score: number;
  reason: string;
  created_at: string;
}

export interface ReviewsTable {
  id: string;
  program_id: string;
  referral_id: string;
  status: 'open' | 'approved' | 'rejected';
  stage: 'signup' | 'qualification';
  score: number;
  opened_at: string;
  decided_at: string | null;
  /** The actor that decided. */
  decided_by: string | null;
  note: string | null;
}

export interface RewardsTable {
  id: string;
  program_id: string;
  referral_id: string;
  participant_id: string;
  side: 'referrer' | 'referee' | 'referrer_milestone';
  amount: number;
  currency: string;
  status: 'pending' | 'approved' | 'issued' | 'redeemed' | 'reversed';
  /** Clawed back so far, in the reward's currency; the ledger holds amount - reversed_amount. */
  reversed_amount: number;
  /** The purchase that earned it: its refunds reverse the reward pro rata. */
  qualifying_event_id: string | null;
  /** When the hold ends and the reward is approved, unless reversed first. */
  available_at: string;
  approved_at: string | null;
  issued_at: string | null;
  reversed_at: string | null;
  reversal_reason: 'refund' | 'fraud' | 'duplicate' | 'other' | null;
  /** The payout run that pays it out, once it is in one. */
  payout_id: string | null;
  created_at: string;
  kind: RewardKind;
  accounting_class: AccountingClass;
  /** JSON: how an in-kind reward is delivered (domain/reward-kinds.ts `Fulfilment`); null for cash. */
  fulfilment: string | null;
  /** The coupon or gift-card pool it is drawn from. */
  pool_id: string | null;
  /** The coupon or gift-card code delivered. */
  code: string | null;
  /** What the fulfiller reported (a gift-card order id, a note of the task done). */
  fulfilment_reference: string | null;
  redeemed_at: string | null;
  /** An admin let it be approved and paid although its participant is disabled; null otherwise. */
  released_at: string | null;
}

export type RewardKind = 'cash' | 'credit' | 'coupon' | 'gift_card' | 'points' | 'custom';
export type AccountingClass = 'marketing_expense' | 'contra_revenue' | 'customer_acquisition_cost';

export interface RewardPoolsTable {
  id: string;
  program_id: string;
  kind: 'coupon' | 'gift_card';
  name: string;
  /** A draw that leaves this many codes or fewer raises `reward_pool.low`. */
  low_stock_threshold: number;
  created_at: string;
}

export interface RewardPoolCodesTable {
  id: string;
  pool_id: string;
  code: string;
  /** The reward it was drawn for; null while available. */
  reward_id: string | null;
  created_at: string;
  drawn_at: string | null;
}

export interface FulfilmentTasksTable {
  id: string;
  program_id: string;
  reward_id: string;
  description: string;
  status: 'open' | 'done' | 'canceled';
  created_at: string;
  /** When it was closed, done or canceled (by status); the API names it canceled_at when canceled. */
  completed_at: string | null;
  /** The actor that closed it: completed it, or canceled it (clawed its reward back). */
  completed_by: string | null;
  note: string | null;
}

export interface LedgerEntriesTable {
  id: string;
  posting_id: string;
  account: string;
  participant_id: string | null;
  program_id: string;
  reward_id: string | null;
  payout_id: string | null;
  currency: string;
  amount: number;
  created_at: string;
  /** The event a reward's posting answers (a refund, a won chargeback); null for the rest (0013). */
  event_id: string | null;
}

export interface OutboxTable {
  id: string;
  topic: string;
  payload: string;
  created_at: string;
  processed_at: string | null;
}

export interface IdempotencyKeysTable {
  api_key_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  created_at: string;
}

export interface ProgramRulesTable {
  program_id: string;
  version: number;
  rules: string;
  created_at: string;
}

export interface AuditLogTable {
  id: string;
  occurred_at: string;
  /** An API key's id (`key_…`), or `system:<job>` / `cli:<command>`. */
  actor: string;
  action: string;
  subject_id: string;
  /** JSON */
  details: string;
}

export interface PayoutsTable {
  id: string;
  program_id: string;
  currency: string;
  status: 'pending' | 'paid' | 'canceled';
  amount: number;
  item_count: number;
  open_key: string | null;
  created_at: string;
  settled_at: string | null;
}

export interface PayoutItemsTable {
  id: string;
  payout_id: string;
  participant_id: string;
  amount: number;
  currency: string;
}

export interface Database {
  settings: SettingsTable;
  api_keys: ApiKeysTable;
  programs: ProgramsTable;
  participants: ParticipantsTable;
  referral_codes: ReferralCodesTable;
  portal_sign_ins: PortalSignInsTable;
  portal_sessions: PortalSessionsTable;
  shares: SharesTable;
  emails: EmailsTable;
  email_opt_outs: EmailOptOutsTable;
  widget_tokens: WidgetTokensTable;
  clicks: ClicksTable;
  events: EventsTable;
  referrals: ReferralsTable;
  rewards: RewardsTable;
  ledger_entries: LedgerEntriesTable;
  outbox: OutboxTable;
  idempotency_keys: IdempotencyKeysTable;
  program_rules: ProgramRulesTable;
  payouts: PayoutsTable;
  audit_log: AuditLogTable;
  payout_items: PayoutItemsTable;
  participant_identities: ParticipantIdentitiesTable;
  participant_links: ParticipantLinksTable;
  ip_ua_sightings: IpUaSightingsTable;
  invites: InvitesTable;
  fraud_signals: FraudSignalsTable;
  reviews: ReviewsTable;
  reward_pools: RewardPoolsTable;
  reward_pool_codes: RewardPoolCodesTable;
  fulfilment_tasks: FulfilmentTasksTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON: the event types it receives, or ["*"]. */
  events: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  /** When its deliveries started failing without a success since; null while healthy. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  /** The outbox message, sent as `webhook-id`. */
  message_id: string;
  event_type: string;
  /** The signed body, as sent on every attempt. */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  /** Attempts since it was last scheduled (a replay restarts the retry schedule at 0). */
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}
