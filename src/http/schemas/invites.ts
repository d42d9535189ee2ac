import Type from 'typebox';
import { Email, Nullable, PageQuery, Timestamp } from './common.ts';

const Id = Type.String({ minLength: 1, maxLength: 64 });

export const InviteCreate = Type.Object(
  {
    email: Email,
    participant_id: Type.Optional({ ...Id, description: 'The referrer who invites. Or give click_id.' }),
    click_id: Type.Optional({
      ...Id,
      description:
        'The click of a visitor who left their email on the landing page (a lead); its referrer invites.',
    }),
  },
  { additionalProperties: false },
);

export const Invite = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('invite'),
    program_id: Type.String(),
    referrer_id: Type.String(),
    email: Nullable(
      Type.String({ description: 'As given; null once erased. Matching uses its normalised hash.' }),
    ),
    click_id: Nullable(Type.String()),
    created_at: Timestamp,
  },
  { title: 'Invite' },
);

export const InviteListQuery = Type.Object(
  { participant_id: Type.Optional(Id), program_id: Type.Optional(Id), ...PageQuery },
  { additionalProperties: false },
);
