import { describe, expect, it } from 'vitest';
import { EMAIL_KINDS, emailRetryDelayMs, isPermanentSmtpFailure, mayEmail } from './emails.ts';

describe('mayEmail', () => {
  it('sends a refusable email unless its category was refused', () => {
    expect(mayEmail('friend_signed_up', new Set())).toBe(true);
    expect(mayEmail('friend_signed_up', new Set(['referrals']))).toBe(false);
    expect(mayEmail('friend_signed_up', new Set(['rewards', 'program']))).toBe(true);
  });

  it('always sends the transactional ones: sign-in links and notices about money', () => {
    const everything = new Set(['referrals', 'rewards', 'program']);
    const transactional = Object.entries(EMAIL_KINDS)
      .filter(([, c]) => c === 'transactional')
      .map(([k]) => k);
    expect(transactional.sort()).toEqual(['magic_link', 'payout_sent', 'reward_clawed_back']);
    for (const kind of transactional)
      expect(mayEmail(kind as keyof typeof EMAIL_KINDS, everything)).toBe(true);
  });
});

describe('retries', () => {
  it('wait 1, 2, 4 … minutes, never more than six hours', () => {
    expect([1, 2, 3, 4].map(emailRetryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(emailRetryDelayMs(20)).toBe(6 * 3_600_000);
  });

  it('give up at once on a 5xx reply, and only then', () => {
    expect(isPermanentSmtpFailure(550)).toBe(true);
    expect(isPermanentSmtpFailure(451)).toBe(false);
    expect(isPermanentSmtpFailure(undefined)).toBe(false);
  });
});
