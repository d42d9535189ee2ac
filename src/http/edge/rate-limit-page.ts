import type { ServerResponse } from 'node:http';
import { rateLimitHeaders, secondsUntil } from '../rate-limit-hooks.ts';
import type { LimitState } from '../rate-limiter.ts';
import { plainPage } from './plain-page.ts';

// A referral link is opened by a person in a browser: past the limit they get a short page, as
// for an unknown code, not JSON; Retry-After and RateLimit-* say the same to a script.
const PAGE = plainPage(
  'Too many requests',
  'Too many requests',
  'Too many referral links were opened from your network in a short time. Wait a moment, then open the link again.',
);

/** 429 for referral links from an address past VOUCH_RATE_LIMIT_LINKS. */
export function tooManyClicks(res: ServerResponse, state: LimitState): void {
  res
    .writeHead(429, {
      ...PAGE.headers,
      'retry-after': String(secondsUntil(state.resetMs)),
      ...rateLimitHeaders(state),
    })
    .end(PAGE.body);
}
