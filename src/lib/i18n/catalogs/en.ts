// English, the catalog every other one is checked against: the same keys, the same arguments.
// ICU MessageFormat: {name} an argument, plural/select/selectordinal choose a form.

export const en = {
  'share.title': '{referrer} invited you to {program}',
  'share.title_anonymous': 'You are invited to {program}',
  'share.offer':
    '{qualifies, select, signup {Sign up through this invitation and you get {reward}.} purchase {{purchases, plural, one {Make your first purchase through this invitation and you get {reward}.} other {Make # purchases through this invitation and you get {reward}.}}} other {Accept this invitation and you get {reward}.}}',
  'share.min_order': 'Orders of {amount} or more count.',
  'share.referrer_reward': '{referrer} gets {reward} as a thank-you.',
  'share.no_offer': 'Accept this invitation to join {program}.',
  'share.accept': 'Accept the invitation',
  'share.note':
    'Continuing takes you to the site of {program}. This device keeps the invitation for {days, plural, one {# day} other {# days}}.',
  'share.languages': 'Language',
  'share.inactive_title': 'This invitation is not active',
  'share.inactive_body':
    'The code may be mistyped, or the program may have ended. Ask the person who shared it for a new link.',
  'reward.cash': '{amount}',
  'reward.credit': '{amount} in credit',
  'reward.coupon': 'a {amount} coupon',
  'reward.gift_card': 'a {amount} gift card',
  'reward.points': '{points, plural, one {# point} other {# points}}',
  'reward.share': '{percent} of your order',
  'reward.share_up_to': '{percent} of your order, up to {max}',
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = { readonly [K in MessageKey]: string };
