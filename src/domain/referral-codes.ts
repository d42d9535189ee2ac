// Generated codes avoid characters people confuse when reading a code aloud or off a screen:
// no 0/O, no 1/I/L.
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const GENERATED_CODE_LENGTH = 8;

const VANITY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$/;

/** Turns random bytes into a code; one byte per character, rejection-free because 256 % 31 bias is tiny. */
export function codeFromBytes(bytes: Uint8Array): string {
  let code = '';
  for (let i = 0; i < GENERATED_CODE_LENGTH; i++) {
    code += CODE_ALPHABET[(bytes[i] ?? 0) % CODE_ALPHABET.length];
  }
  return code;
}

const MAX_CODE_LENGTH = 64;
// Generated and vanity codes are made of these; anything else (a NUL, which PostgreSQL cannot
// even compare) names no code and is answered as an unknown one, without a query.
const POSSIBLE_CODE = /^[A-Za-z0-9_-]+$/;

/** Whether a code in a URL could name a code at all, before anything is looked up. */
export const isPossibleCode = (code: string): boolean =>
  code.length <= MAX_CODE_LENGTH && POSSIBLE_CODE.test(code);

/** The key codes are unique by: the same code in any letter case is the same code. */
export function codeKey(code: string): string {
  return code.toUpperCase();
}

export type VanityCheck = { ok: true; code: string } | { ok: false; reason: string };

export function checkVanityCode(input: string): VanityCheck {
  const code = input.trim();
  if (!VANITY_PATTERN.test(code)) {
    return {
      ok: false,
      reason: 'must be 3 to 32 letters, digits, "-" or "_", starting with a letter or digit',
    };
  }
  return { ok: true, code };
}

/** A code's referral link, which records the click and leads on to the program's landing page. */
export function referralUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/r/${encodeURIComponent(code)}`;
}

/** The friend's invitation page for a code, which leads on to the referral link. */
export function sharePageUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/s/${encodeURIComponent(code)}`;
}
