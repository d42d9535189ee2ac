// Which emails Vouch sends a participant, and which of them a person may refuse.

/** A category a participant may opt out of; `transactional` is not one of them. */
export const EMAIL_CATEGORIES = ['referrals', 'rewards', 'program'] as const;
export type EmailCategory = (typeof EMAIL_CATEGORIES)[number];

/**
 * What each email is for. Transactional ones are sent whatever the preferences: a sign-in link
 * someone asked for, and notices about their money (a payout sent, a reward taken back), which a
 * person must be told of.
 */
export const EMAIL_KINDS = {
  welcome: 'program',
  friend_signed_up: 'referrals',
  reward_earned: 'rewards',
  reward_available: 'rewards',
  payout_sent: 'transactional',
  reward_clawed_back: 'transactional',
  program_paused: 'program',
  program_ended: 'program',
  magic_link: 'transactional',
} as const satisfies Record<string, EmailCategory | 'transactional'>;
export type EmailKind = keyof typeof EMAIL_KINDS;

export const isEmailCategory = (value: string): value is EmailCategory =>
  (EMAIL_CATEGORIES as readonly string[]).includes(value);

/** Whether a participant who refused `optedOut` still gets an email of this kind. */
export function mayEmail(kind: EmailKind, optedOut: ReadonlySet<string>): boolean {
  const category = EMAIL_KINDS[kind];
  return category === 'transactional' || !optedOut.has(category);
}

/** How long a failing email is retried: 1, 2, 4 … minutes, then given up after a day. */
export const EMAIL_GIVE_UP_AFTER = 12;
export function emailRetryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** (attempts - 1), 6 * 3_600_000);
}

/**
 * Whether an SMTP failure is worth retrying: a 5xx reply is permanent (RFC 5321 §4.2.1), the
 * rest (4xx, a lost connection, a timeout) passes.
 */
export const isPermanentSmtpFailure = (responseCode: number | undefined): boolean =>
  responseCode !== undefined && responseCode >= 500 && responseCode < 600;
