import Type, { type TSchema } from 'typebox';

// The building blocks of the API's input schemas, shared by the edge (which validates with them and
// documents them) and the services (which take the types they define).

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Timestamp = Type.String({ format: 'date-time' });
export const ExternalId = Type.String({ minLength: 1, maxLength: 255 });
export const Email = Type.String({ format: 'email', maxLength: 320 });

export const MoneySchema = Type.Object(
  {
    amount: Type.Integer({ description: 'Minor units (cents); never fractional.' }),
    currency: Type.String({ description: 'ISO 4217 code, or PTS for points.', minLength: 3, maxLength: 3 }),
  },
  { additionalProperties: false },
);
