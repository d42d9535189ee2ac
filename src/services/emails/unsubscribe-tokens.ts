import { createHmac, timingSafeEqual } from 'node:crypto';

// An unsubscribe link names the participant and carries a tag keyed by the instance secret: it
// needs no stored row, works for as long as the emails that carry it are read, and cannot be
// forged for someone else.

const tagOf = (secret: string, participantId: string) =>
  createHmac('sha256', secret).update(`unsubscribe\0${participantId}`).digest('base64url').slice(0, 32);

export function unsubscribeToken(secret: string, participantId: string): string {
  return `${participantId}.${tagOf(secret, participantId)}`;
}

/** The participant an unsubscribe token was made for, or null when it was not made here. */
export function participantOfToken(secret: string, token: string): string | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const participantId = token.slice(0, dot);
  const expected = Buffer.from(tagOf(secret, participantId));
  const given = Buffer.from(token.slice(dot + 1));
  return given.length === expected.length && timingSafeEqual(given, expected) ? participantId : null;
}
