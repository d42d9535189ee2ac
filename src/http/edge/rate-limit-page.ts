import type { ServerResponse } from 'node:http';
import { rateLimitHeaders, secondsUntil } from '../rate-limit-hooks.ts';
import type { LimitState } from '../rate-limiter.ts';

// A referral link is opened by a person in a browser: past the limit they get a short page, as
// for an unknown code, not JSON; Retry-After and RateLimit-* say the same to a script.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Too many requests</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>Too many requests</h1>
<p>Too many referral links were opened from your network in a short time. Wait a moment, then open the link again.</p>
</body></html>`;

const PAGE_LENGTH = String(Buffer.byteLength(PAGE));

/** 429 for referral links from an address past VOUCH_RATE_LIMIT_LINKS. */
export function tooManyClicks(res: ServerResponse, state: LimitState): void {
  res
    .writeHead(429, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': PAGE_LENGTH,
      'cache-control': 'no-store',
      'retry-after': String(secondsUntil(state.resetMs)),
      ...rateLimitHeaders(state),
    })
    .end(PAGE);
}
