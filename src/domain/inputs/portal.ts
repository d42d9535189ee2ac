import Type from 'typebox';

// A sign-in to a referrer's portal, as the business's backend asks for it.

export const PortalSessionCreate = Type.Object(
  {
    participant_id: Type.String({ minLength: 1, maxLength: 64 }),
    locale: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 35,
        description:
          'BCP 47; the portal speaks it, or the nearest shipped language (fr-CA → fr). Default: the browser’s.',
      }),
    ),
    return_url: Type.Optional(
      Type.String({
        maxLength: 2048,
        description:
          'An absolute http(s) URL: where the portal’s way back and sign-out lead (your account page).',
      }),
    ),
  },
  { additionalProperties: false },
);
