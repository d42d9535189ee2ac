import '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { codeKey } from '../../domain/referral-codes.ts';
import { newId } from '../../lib/ids.ts';
import { findCodeTarget } from '../../store/repositories/participants.ts';
import { TtlCache } from '../code-cache.ts';
import type { RouteDeps } from '../deps.ts';
import { ipHasher } from '../ip-hasher.ts';
import { REFERRAL_COOKIE, type RedirectTarget, redirectTarget } from '../redirect-target.ts';

const MAX_TEXT = 512;

// Codes, click ids and base64 signatures are made of these, so the cookie value is sent as is;
// anything else is percent-encoded, as @fastify/cookie would.
const COOKIE_SAFE = /^[\w.+/=-]*$/;

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Link not found</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>This referral link is not active</h1>
<p>The code may be mistyped, or the program may have ended. Ask the person who shared it for a new link.</p>
</body></html>`;

function text(value: unknown): string | null {
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

function notFound(reply: FastifyReply): void {
  reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_FOUND_PAGE);
}

const schema = {
  tags: ['public'],
  security: [],
  summary: 'Follow a referral link',
  description:
    "Redirects (302) to the program's landing URL with vouch_ref and vouch_click added to its query, " +
    'sets a signed first-party cookie for the attribution window and records the click. ' +
    'Unknown or disabled codes answer 404 with a small HTML page.',
  params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
  response: {
    302: Type.Null({ description: 'Redirect to the landing URL.' }),
    404: {
      description: 'Unknown or disabled code: a small HTML page, no redirect.',
      content: { 'text/html': { schema: Type.String() } },
    },
  },
};

export const redirectRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, config, secret, clicks, now } = deps;
  // A code that does not resolve is cached too (as null), so guessing codes costs no queries.
  const cache = new TtlCache<RedirectTarget | null>(5_000, 50_000);
  const hashIp = ipHasher(secret);
  const isoTime = isoTimestamps();
  const cookies = {
    secure: config.publicUrl.startsWith('https:'),
    domain: config.cookieDomain,
    serialize: app.serializeCookie,
  };

  async function lookUp(key: string, at: number): Promise<RedirectTarget | null> {
    const target = redirectTarget(await findCodeTarget(store.db, key), cookies);
    cache.set(key, target, at);
    return target;
  }

  function follow(request: FastifyRequest, reply: FastifyReply, target: RedirectTarget | null, at: Date) {
    if (!target) return notFound(reply);
    const clickId = newId('clk', at.getTime());
    const query = request.query as Record<string, string | undefined>;
    clicks.record({
      id: clickId,
      program_id: target.programId,
      participant_id: target.participantId,
      code: target.code,
      occurred_at: isoTime(at),
      ip_hash: hashIp(request.ip),
      user_agent: text(request.headers['user-agent']),
      referer: text(request.headers.referer),
      utm_source: text(query.utm_source),
      utm_medium: text(query.utm_medium),
      utm_campaign: text(query.utm_campaign),
      utm_term: text(query.utm_term),
      utm_content: text(query.utm_content),
    });
    // Signed by @fastify/cookie's signer, so `unsignCookie` verifies it; set as a plain header because
    // the attributes were serialised once per code, not per click.
    const signed = app.signCookie(`${target.code}.${clickId}`);
    const value = COOKIE_SAFE.test(signed) ? signed : encodeURIComponent(signed);
    // Always the program's own landing URL: the link cannot be turned into an open redirect.
    reply
      .header('cache-control', 'no-store')
      .header('set-cookie', `${REFERRAL_COOKIE}=${value}${target.cookieAttributes}`)
      .redirect(target.locationPrefix + clickId + target.locationSuffix, 302);
  }

  app.get('/r/:code', { attachValidation: true, schema }, (request, reply) => {
    const at = now();
    // A code too long to exist is, to the visitor following the link, just an unknown code.
    if (request.validationError) return notFound(reply);
    const key = codeKey(request.params.code);
    const cached = cache.get(key, at.getTime());
    // A cached code is answered without a promise; only a lookup waits for the database.
    if (cached !== undefined) return follow(request, reply, cached, at);
    return lookUp(key, at.getTime()).then((target) => follow(request, reply, target, at));
  });
};
