// What one person is shown of another: a friend sees their referrer's first name, a referrer sees
// a masked email of each friend.

/**
 * A friend's email as their referrer may see it: the first character, then the domain
 * ("s***@example.net"). Enough to tell friends apart, not enough to write to them.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  const first = [...email.slice(0, at)][0] ?? '';
  return `${first}***${email.slice(at)}`;
}

const MAX_FIRST_NAME = 40;

/** "Ada Lovelace" → "Ada": a friend learns who invited them, not the referrer's whole name. */
export function firstNameOf(name: string | null): string | null {
  const first = name?.trim().split(/\s+/u)[0];
  return first ? [...first].slice(0, MAX_FIRST_NAME).join('') : null;
}
