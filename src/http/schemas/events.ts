import Type from 'typebox';
import { EventType } from '../../domain/inputs/events.ts';
import { Nullable, Timestamp } from './common.ts';

export { EventCreate, EventType } from '../../domain/inputs/events.ts';

export const EventResult = Type.Object({
  outcome: Type.Union([
    Type.Literal('referral_created'),
    Type.Literal('referral_rejected'),
    Type.Literal('no_referral'),
    Type.Literal('referral_qualified'),
    Type.Literal('not_qualified'),
    Type.Literal('recorded'),
    Type.Literal('rewards_reversed'),
  ]),
  reason: Nullable(Type.String()),
  referral_ids: Type.Array(Type.String()),
  reward_ids: Type.Array(Type.String()),
});

export const Event = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('event'),
    type: EventType,
    external_id: Type.String(),
    program_id: Nullable(Type.String()),
    customer: Type.Object(
      { external_id: Type.String() },
      {
        description:
          'Who the event is about. Their email, if sent, is kept on the participant, not the event.',
      },
    ),
    amount: Nullable(Type.Integer()),
    currency: Nullable(Type.String()),
    occurred_at: Timestamp,
    received_at: Timestamp,
    purchase_external_id: Nullable(Type.String()),
    name: Nullable(Type.String({ description: "A custom event's name; null for other types." })),
    result: EventResult,
  },
  { title: 'Event' },
);
