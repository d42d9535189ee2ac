import Type, { type Static } from 'typebox';
import { Nullable } from './inputs/common.ts';

/**
 * The event catalogue: every event Vouch sends, with the `data` it carries. Services can only
 * write these (outboxMessage is typed by it), and the API document's `webhooks` section is built
 * from it, so what is documented is what is sent. `data` holds ids to fetch from the API and the
 * few facts a receiver acts on without a fetch; receivers should ignore fields they do not know.
 */

const Id = (prefix: string, description: string) =>
  Type.String({ pattern: `^${prefix}_`, description: `${description} (\`${prefix}_…\`).` });
const Amount = Type.Integer({ description: 'In minor units of `currency` (points for PTS).' });
const Currency = Type.String({ description: 'ISO 4217, or PTS for points.' });
const Kind = Type.String({ description: 'cash, credit, coupon, gift_card, points or custom.' });

const ReviewDecision = Type.Object({
  review_id: Id('rev', 'The review'),
  referral_id: Id('ref', 'The referral reviewed'),
  note: Nullable(Type.String()),
  voided_reward_ids: Type.Array(Id('rwd', 'A reward'), {
    description: 'Rewards the decision reversed (a rejection) — empty when it approved.',
  }),
});

const PoolAlert = {
  pool_id: Id('rpl', 'The pool'),
  program_id: Id('prg', 'Its program'),
  available: Type.Integer({ description: 'Codes left in the pool.' }),
};

export const EVENT_DATA = {
  'program.paused': Type.Object({ program_id: Id('prg', 'The program') }),
  'program.archived': Type.Object({ program_id: Id('prg', 'The program') }),
  'participant.created': Type.Object({ participant_id: Id('par', 'The participant enrolled') }),
  'invite.created': Type.Object({
    invite_id: Id('inv', 'The invite'),
    program_id: Id('prg', 'Its program'),
    referrer_id: Id('par', 'Who invited'),
    email: Nullable(Type.String({ description: 'Whom to send the invitation to.' })),
  }),
  'referral.created': Type.Object({ referral_id: Id('ref', 'The referral') }),
  'referral.qualified': Type.Object({
    referral_id: Id('ref', 'The referral'),
    event_id: Id('evt', 'The event that qualified it'),
  }),
  'referral.rejected': Type.Object({
    referral_id: Id('ref', 'The referral'),
    reason: Type.String({ description: 'Why, e.g. self_referral, fraud, already_referred.' }),
  }),
  'fraud.review_opened': Type.Object({
    review_id: Id('rev', 'The review'),
    referral_id: Id('ref', 'The referral held'),
    stage: Type.String({ description: 'signup or qualification.' }),
  }),
  'fraud.review_approved': ReviewDecision,
  'fraud.review_rejected': ReviewDecision,
  'reward.created': Type.Object({
    reward_id: Id('rwd', 'The reward'),
    referral_id: Id('ref', 'The referral that earned it (for a milestone bonus, the one that reached it)'),
  }),
  'reward.approved': Type.Object({ reward_id: Id('rwd', 'The reward') }),
  'reward.issued': Type.Object({
    reward_id: Id('rwd', 'The reward'),
    participant_id: Id('par', 'Who receives it'),
    kind: Kind,
    amount: Amount,
    currency: Currency,
    code: Nullable(Type.String({ description: 'The coupon or card code delivered, if any.' })),
    payout_id: Nullable(Id('pay', 'The payout run that paid it, for cash')),
  }),
  'reward.redeemed': Type.Object({
    reward_id: Id('rwd', 'The reward'),
    amount: Amount,
    reference: Nullable(Type.String({ description: 'Your reference for the redemption.' })),
  }),
  'reward.reversed': Type.Object({
    reward_id: Id('rwd', 'The reward'),
    kind: Kind,
    amount: Type.Integer({ description: 'What this reversal took back, in minor units.' }),
    currency: Currency,
    reason: Type.String({ description: 'refund, fraud, or an admin’s reason.' }),
    event_id: Nullable(Id('evt', 'The refund that caused it')),
    code: Nullable(Type.String({ description: 'A delivered code to revoke, if any.' })),
  }),
  'reward.reinstated': Type.Object({
    reward_id: Id('rwd', 'The reward'),
    kind: Kind,
    amount: Type.Integer({ description: 'What was given back, in minor units.' }),
    currency: Currency,
    reason: Type.String({ description: 'chargeback_won: the merchant won the dispute that took it.' }),
    event_id: Id('evt', 'The event that gave it back (the won chargeback)'),
    code: Nullable(Type.String({ description: 'A delivered code revoked at the reversal, if any.' })),
  }),
  'fulfilment.requested': Type.Object({
    task_id: Id('tsk', 'The task to complete'),
    reward_id: Id('rwd', 'The reward it delivers'),
    participant_id: Id('par', 'Who receives it'),
    side: Type.String({ description: 'referrer, referee or referrer_milestone.' }),
    kind: Kind,
    amount: Amount,
    currency: Currency,
    description: Nullable(Type.String()),
  }),
  'reward_pool.low': Type.Object({
    ...PoolAlert,
    threshold: Type.Integer({ description: 'The pool’s low_stock_threshold.' }),
  }),
  'reward_pool.empty': Type.Object({
    ...PoolAlert,
    reward_id: Id('rwd', 'The reward waiting for a code'),
  }),
  'payout.created': Type.Object({ payout_id: Id('pay', 'The payout run to pay') }),
  'payout.paid': Type.Object({ payout_id: Id('pay', 'The payout run') }),
  'payout.canceled': Type.Object({ payout_id: Id('pay', 'The payout run') }),
  'webhook_endpoint.disabled': Type.Object({
    webhook_endpoint_id: Id('whk', 'The endpoint'),
    reason: Type.String({ description: 'gone (it answered 410) or failing (no success for 5 days).' }),
  }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export type EventData<T extends EventType> = Static<(typeof EVENT_DATA)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

/** When each event is sent: the description of its entry in the API document. */
export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'program.paused': 'A program was paused: its participants are told by email when Vouch sends emails.',
  'program.archived':
    'A program was archived (ended): its participants are told by email when Vouch sends emails.',
  'participant.created': 'A participant was enrolled in a program.',
  'invite.created': 'A referrer invited an email, or a visitor of a referral link left theirs.',
  'referral.created': 'A sign-up was attributed to a referrer.',
  'referral.qualified': 'A referral met its program’s qualification; its rewards are created with it.',
  'referral.rejected': 'A referral was refused (self-referral, fraud, already referred, expired rules…).',
  'fraud.review_opened': 'Fraud rules held a referral for review; its rewards wait for the decision.',
  'fraud.review_approved': 'A reviewer let a held referral through.',
  'fraud.review_rejected': 'A reviewer rejected a held referral; its rewards are reversed.',
  'reward.created': 'A reward was earned; it is held for the program’s hold period.',
  'reward.approved':
    'A reward’s hold ended (or an admin approved it): cash is available to pay out, other kinds are fulfilled.',
  'reward.issued':
    'A reward reached its receiver: a payout run paid it, or its credit, points or code were delivered.',
  'reward.redeemed': 'An issued credit, coupon, gift card or points reward was used.',
  'reward.reversed': 'A reward was clawed back, in whole or in part (a refund, fraud, an admin).',
  'reward.reinstated':
    'A chargeback the merchant won gave back what it had clawed back of a reward (the one reversal undone).',
  'fulfilment.requested': 'A reward needs a person or a system to deliver it: complete its task when done.',
  'reward_pool.low': 'A code pool reached its low-stock threshold.',
  'reward_pool.empty': 'A reward could not get a code because its pool is empty; it waits for codes.',
  'payout.created': 'A payout run was created: pay its lines, then confirm or cancel it.',
  'payout.paid': 'A payout run was confirmed paid.',
  'payout.canceled': 'A payout run was canceled; its rewards wait for the next one.',
  'webhook_endpoint.disabled':
    'An endpoint was disabled: it answered 410, or failed for 5 days without a success.',
};
