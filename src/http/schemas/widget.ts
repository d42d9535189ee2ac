import Type from 'typebox';

// What the share widget's API answers: everything the script shows, already in the reader's
// language, so the script carries no strings of its own.

const Amount = Type.Object({
  amount: Type.Integer({ description: 'Minor units.' }),
  text: Type.String({ description: 'As the locale writes it: "$10", "10 €".' }),
});

export const WidgetView = Type.Object(
  {
    object: Type.Literal('widget'),
    locale: Type.String({ description: 'The shipped locale the texts are in.' }),
    dir: Type.Union([Type.Literal('ltr'), Type.Literal('rtl')]),
    program_name: Type.String(),
    code: Type.String(),
    link: Type.String({ description: 'The referral link (/r/{code}).' }),
    offer: Type.Union([Type.String(), Type.Null()], { description: 'The offer in words, or null.' }),
    message: Type.String({ description: "The referrer's message to a friend, without the link." }),
    channels: Type.Array(
      Type.Object({
        channel: Type.String(),
        label: Type.String(),
        url: Type.String({ description: "The channel's share intent, message and link filled in." }),
      }),
    ),
    friends: Type.Object({
      joined: Type.Integer(),
      qualified: Type.Integer(),
      capped: Type.Boolean({ description: 'True when there are more than the 50 latest counted here.' }),
    }),
    balances: Type.Array(
      Type.Object({ currency: Type.String(), available: Amount, pending: Amount, paid: Amount }),
    ),
    text: Type.Object({
      label: Type.String({ description: "The widget's accessible name." }),
      heading: Type.String(),
      link_label: Type.String(),
      copy: Type.String(),
      copied: Type.String(),
      web_share: Type.String(),
      code: Type.String(),
      friends_joined: Type.String(),
      friends_qualified: Type.String(),
      available: Type.String(),
      pending: Type.String(),
      paid: Type.String(),
    }),
  },
  { title: 'WidgetView' },
);

export const WidgetShareCreate = Type.Object(
  {
    channel: Type.String({
      maxLength: 32,
      description: 'email, sms, whatsapp, x, facebook, linkedin, telegram, copy or web_share.',
    }),
  },
  { additionalProperties: false },
);

export const WidgetQuery = Type.Object(
  {
    locale: Type.Optional(
      Type.String({ maxLength: 35, description: 'BCP 47; the texts’ language (default: Accept-Language).' }),
    ),
  },
  { additionalProperties: false },
);
