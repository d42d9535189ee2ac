import { isIP } from 'node:net';
import { isPublicAddress } from './public-address.ts';

/**
 * Outgoing webhooks, decided without I/O: the event catalogue, what an endpoint receives, when a
 * failed delivery is tried again, and which addresses a delivery may never reach.
 */

export { EVENT_TYPES, type EventType } from './webhook-events.ts';

/** The payloads' version: a change that could break a receiver comes with a new one. */
export const PAYLOAD_VERSION = '2026-11-01';

export const wants = (events: readonly string[], type: string): boolean =>
  events.includes('*') || events.includes(type);

// Standard Webhooks' suggested schedule, stretched to about three days: after the first attempt,
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 14 h, 20 h.
const RETRY_DELAYS_MS = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 50_400_000, 72_000_000,
];

/**
 * When to try again after `attempts` failed attempts, or null to give up. A jitter of up to ±20%
 * (`random` in [0, 1)) keeps the retries of many deliveries that failed together apart.
 */
export function retryDelay(attempts: number, random: number): number | null {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random));
}

/** An endpoint failing with no success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

export type AttemptOutcome =
  | { outcome: 'delivered' }
  /** 410 Gone: the receiver says the endpoint is no more. */
  | { outcome: 'gone' }
  | { outcome: 'retry'; at: Date }
  | { outcome: 'failed' };

/** What an attempt's response (a status, or none after a network error or timeout) means. */
export function judgeAttempt(
  status: number | null,
  attempts: number,
  now: Date,
  random: number,
): AttemptOutcome {
  if (status !== null && status >= 200 && status < 300) return { outcome: 'delivered' };
  if (status === 410) return { outcome: 'gone' };
  const delay = retryDelay(attempts, random);
  if (delay === null) return { outcome: 'failed' };
  return { outcome: 'retry', at: new Date(now.getTime() + delay) };
}

export type UrlProblem = 'invalid_url' | 'not_https' | 'has_credentials' | 'private_address';

/**
 * Checks an endpoint URL as it is saved: https (http too when private targets are allowed), no
 * credentials in it, and neither `localhost` nor an address literal that is not public. Host names are checked again at each
 * delivery, against what DNS says then.
 */
export function checkEndpointUrl(raw: string, allowPrivate: boolean): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid_url';
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'not_https';
  if (url.username || url.password) return 'has_credentials';
  // `localhost.` is `localhost`: a name's trailing root dot changes nothing.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  // `localhost` and its subdomains always mean this machine (RFC 6761).
  const local = host === 'localhost' || host.endsWith('.localhost');
  if (!allowPrivate && (local || (isIP(host) !== 0 && !isPublicAddress(host)))) {
    return 'private_address';
  }
  return null;
}
