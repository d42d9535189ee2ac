import Type from 'typebox';
import { PageQuery, Timestamp } from './common.ts';

export const AuditEntry = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('audit_entry'),
    occurred_at: Timestamp,
    actor: Type.String({ description: "The API key's id (key_…), or system:<job> / cli:<command>." }),
    action: Type.String({
      description:
        'program.created, program.updated, reward.approved, reward.reversed, payout.created, payout.paid, payout.canceled',
    }),
    subject_id: Type.String({ description: 'The program, reward or payout it changed.' }),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'AuditEntry' },
);

export const AuditListQuery = Type.Object(
  { subject_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), ...PageQuery },
  { additionalProperties: false },
);
