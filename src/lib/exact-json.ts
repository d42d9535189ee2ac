import { parse } from 'lossless-json';

/**
 * JSON.parse, except that every number stays the exact text it was sent as. A 64-bit id such as
 * 820982911946154508 is past 2^53, where a JavaScript number rounds it onto its neighbour; as
 * text it keeps every digit, and a price sent as 49.90 stays the decimal "49.90".
 * Throws a SyntaxError on malformed JSON (and on a key repeated with another value).
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  return parse(text, null, (digits) => digits);
}
