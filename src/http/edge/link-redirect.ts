import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { refererOrigin } from '../../domain/referer-origin.ts';
import { codeKey, isPossibleCode } from '../../domain/referral-codes.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { RedirectTally } from '../../lib/metrics.ts';
import { findCodeTarget } from '../../store/repositories/participants.ts';
import type { RouteDeps } from '../deps.ts';
import { errorBody } from '../error-handler.ts';
import type { Limiter } from '../rate-limiter.ts';
import { TtlCache } from './code-cache.ts';
import { ipHasher } from './ip-hasher.ts';
import { plainPage } from './plain-page.ts';
import { tooManyClicks } from './rate-limit-page.ts';
import {
  type CookieSettings,
  DEVICE_COOKIE,
  deviceCookieAttributes,
  REFERRAL_COOKIE,
  type RedirectTarget,
  redirectTarget,
} from './redirect-target.ts';

const MAX_TEXT = 512;
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

// Codes, click ids and base64 signatures are made of these, so the cookie value is sent as is;
// anything else is percent-encoded, as @fastify/cookie would.
const COOKIE_SAFE = /^[\w.+/=-]*$/;
const DEVICE_IN_COOKIES = /(?:^|;\s*)vouch_device=(dev_[0-9A-Z]{26})(?:;|$)/;

const NOT_FOUND = plainPage(
  'Link not found',
  'This referral link is not active',
  'The code may be mistyped, or the program may have ended. Ask the person who shared it for a new link.',
);

const LOOKUP_FAILED = new AppError('internal_error', 'Something went wrong on our side; try the link again.');
const LOOKUP_FAILED_BODY = JSON.stringify(errorBody(LOOKUP_FAILED));

export interface Link {
  code: string;
  query: string;
}

/** The referral link `/r/{code}`, split from its query; null for any other path. */
export function parseLink(url: string): Link | null {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.startsWith('/r/') || path.length === 3 || path.indexOf('/', 3) !== -1) return null;
  let code: string;
  try {
    code = decodeURIComponent(path.slice(3));
  } catch {
    code = '';
  }
  return { code, query: q === -1 ? '' : url.slice(q + 1) };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, NOT_FOUND.headers).end(NOT_FOUND.body);
}

function text(value: string | string[] | null | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_TEXT) : null;
}

/**
 * Date#toISOString is a visible share of a redirect's own work, and under load many clicks fall in
 * the same millisecond: they share one string.
 */
function isoTimestamps(): (at: Date) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (at) => {
    const ms = at.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      last = at.toISOString();
    }
    return last;
  };
}

export interface RedirectOptions extends RouteDeps {
  log: FastifyBaseLogger;
  cookies: CookieSettings;
  /** @fastify/cookie's signer, so `unsignCookie` verifies the referral cookie. */
  signCookie: (value: string) => string;
  /** Clicks per client address; null when off. */
  limit: Limiter | null;
  /** Where each answer is counted, by method and status (for /metrics). */
  tally: RedirectTally;
}

/**
 * Answers `GET /r/{code}` on node's own request and response. It is the one route hit by every
 * visitor at scale, and needs no auth, body or JSON: the server calls it before Fastify (whose
 * per-request machinery cost a third of a redirect), and the Fastify route, which documents it and
 * serves `inject`, hands it the same objects.
 */
export type Redirect = (req: IncomingMessage, res: ServerResponse, ip: string, link?: Link | null) => void;

export function createRedirect(options: RedirectOptions): Redirect {
  const { store, secret, clicks, now, log, cookies, signCookie, limit, tally } = options;
  const deviceAttributes = deviceCookieAttributes(cookies);
  // A code that does not resolve is cached too (as null), so guessing codes costs no queries.
  const cache = new TtlCache<RedirectTarget | null>(5_000, 50_000);
  const hashIp = ipHasher(secret);
  const isoTime = isoTimestamps();

  async function lookUp(key: string, at: number): Promise<RedirectTarget | null> {
    const target = redirectTarget(await findCodeTarget(store.db, key), cookies);
    cache.set(key, target, at);
    return target;
  }

  function follow(
    req: IncomingMessage,
    res: ServerResponse,
    ip: string,
    link: Link,
    target: RedirectTarget | null,
    at: Date,
  ): void {
    if (!target) {
      tally.answered(req.method === 'HEAD', 404);
      notFound(res);
      return;
    }
    const clickId = newId('clk', at.getTime());
    // The browser's device id: the one it already holds, or a new one it is given with this click.
    const known = req.headers.cookie?.match(DEVICE_IN_COOKIES)?.[1];
    const device = known ?? newId('dev', at.getTime());
    const params = link.query === '' ? null : new URLSearchParams(link.query);
    const committed = clicks.record({
      id: clickId,
      program_id: target.programId,
      participant_id: target.participantId,
      code: target.code,
      occurred_at: isoTime(at),
      ip_hash: hashIp(ip),
      user_agent: text(req.headers['user-agent']),
      referer: refererOrigin(text(req.headers.referer)),
      utm_source: text(params?.get(UTM[0])),
      utm_medium: text(params?.get(UTM[1])),
      utm_campaign: text(params?.get(UTM[2])),
      utm_term: text(params?.get(UTM[3])),
      utm_content: text(params?.get(UTM[4])),
      device_id: device,
    });
    const signed = signCookie(`${target.code}.${clickId}`);
    const value = COOKIE_SAFE.test(signed) ? signed : encodeURIComponent(signed);
    const referralCookie = `${REFERRAL_COOKIE}=${value}${target.cookieAttributes}`;
    tally.answered(req.method === 'HEAD', 302);
    // Always the program's own landing URL: the link cannot be turned into an open redirect.
    const headers = {
      'cache-control': 'no-store',
      'set-cookie': known
        ? referralCookie
        : [referralCookie, `${DEVICE_COOKIE}=${device}${deviceAttributes}`],
      location: target.locationPrefix + clickId + target.locationSuffix,
      'content-length': '0',
    };
    // Durable clicks: the 302 leaves once its click is committed, so a crash never loses a click
    // whose id a visitor holds. The recorder settles the promise even when the write fails.
    if (committed) committed.then(() => res.writeHead(302, headers).end());
    else res.writeHead(302, headers).end();
  }

  function answer(req: IncomingMessage, res: ServerResponse, ip: string, link: Link | null) {
    const at = now();
    // A code too long to exist is, to the visitor following the link, just an unknown code.
    if (!link || !isPossibleCode(link.code)) {
      tally.answered(req.method === 'HEAD', 404);
      return notFound(res);
    }
    const key = codeKey(link.code);
    const cached = cache.get(key, at.getTime());
    // A cached code is answered without waiting for the database; only a lookup does.
    if (cached !== undefined) return follow(req, res, ip, link, cached, at);
    lookUp(key, at.getTime()).then(
      (target) => follow(req, res, ip, link, target, at),
      (err: unknown) => {
        // The path only: a link's query string may carry what identifies a visitor.
        log.error({ err, path: (req.url ?? '').split('?')[0] }, 'referral link lookup failed');
        tally.answered(req.method === 'HEAD', 500);
        res
          .writeHead(LOOKUP_FAILED.status, { 'content-type': 'application/json; charset=utf-8' })
          .end(LOOKUP_FAILED_BODY);
      },
    );
  }

  if (!limit) return (req, res, ip, link = parseLink(req.url ?? '')) => answer(req, res, ip, link);
  // The count comes first, so a flood of unknown codes is limited too; in memory it settles
  // without I/O, in the microtask after the request.
  return (req, res, ip, link = parseLink(req.url ?? '')) => {
    limit.consume(ip).then((state) => {
      if (state.allowed) return answer(req, res, ip, link);
      tally.answered(req.method === 'HEAD', 429);
      tooManyClicks(res, state);
    });
  };
}
