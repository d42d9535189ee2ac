import { createHmac } from 'node:crypto';
import '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { codeKey } from '../../domain/referral-codes.ts';
import { newId } from '../../lib/ids.ts';
import { findCodeTarget } from '../../store/repositories/participants.ts';
import { TtlCache } from '../code-cache.ts';
import type { RouteDeps } from '../deps.ts';

export const REFERRAL_COOKIE = 'vouch_ref';
const UTM_FIELDS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
const MAX_TEXT = 512;

interface Target {
  code: string;
  programId: string;
  participantId: string;
  landingUrl: string;
  windowDays: number;
}

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

export const redirectRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, config, secret, clicks, now } = deps;
  // A code that does not resolve is cached too (as null), so guessing codes costs no queries.
  const cache = new TtlCache<Target | null>(5_000, 50_000);
  const secure = config.publicUrl.startsWith('https:');

  async function resolve(code: string, at: number): Promise<Target | null> {
    const key = codeKey(code);
    const cached = cache.get(key, at);
    if (cached !== undefined) return cached;
    const row = await findCodeTarget(store.db, key);
    const target =
      row && row.participant_status === 'active' && row.program_status === 'active'
        ? {
            code: row.code,
            programId: row.program_id,
            participantId: row.participant_id,
            landingUrl: row.landing_url,
            windowDays: row.attribution_window_days,
          }
        : null;
    cache.set(key, target, at);
    return target;
  }

  app.get(
    '/r/:code',
    {
      attachValidation: true,
      schema: {
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
      },
    },
    async (request, reply) => {
      const at = now();
      // A code too long to exist is, to the visitor following the link, just an unknown code.
      const target = request.validationError ? null : await resolve(request.params.code, at.getTime());
      if (!target) {
        return reply
          .code(404)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(NOT_FOUND_PAGE);
      }
      const clickId = newId('clk', at.getTime());
      const query = request.query as Record<string, unknown>;
      clicks.record({
        id: clickId,
        program_id: target.programId,
        participant_id: target.participantId,
        code: target.code,
        occurred_at: at.toISOString(),
        ip_hash: createHmac('sha256', secret).update(request.ip).digest('base64url').slice(0, 22),
        user_agent: text(request.headers['user-agent']),
        referer: text(request.headers.referer),
        utm_source: text(query[UTM_FIELDS[0]]),
        utm_medium: text(query[UTM_FIELDS[1]]),
        utm_campaign: text(query[UTM_FIELDS[2]]),
        utm_term: text(query[UTM_FIELDS[3]]),
        utm_content: text(query[UTM_FIELDS[4]]),
      });

      // Always the program's own landing URL: the link cannot be turned into an open redirect.
      const location = new URL(target.landingUrl);
      location.searchParams.set('vouch_ref', target.code);
      location.searchParams.set('vouch_click', clickId);
      reply.setCookie(REFERRAL_COOKIE, `${target.code}.${clickId}`, {
        signed: true,
        path: '/',
        maxAge: target.windowDays * 86_400,
        sameSite: 'lax',
        secure,
        httpOnly: false,
        ...(config.cookieDomain ? { domain: config.cookieDomain } : {}),
      });
      return reply.header('cache-control', 'no-store').redirect(location.toString(), 302);
    },
  );
};
