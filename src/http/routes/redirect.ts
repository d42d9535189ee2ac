import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Redirect } from '../edge/link-redirect.ts';

const schema = {
  tags: ['public'],
  security: [],
  summary: 'Follow a referral link',
  description:
    "Redirects (302) to the program's landing URL with vouch_ref and vouch_click added to its query, " +
    'sets a signed first-party cookie for the attribution window and records the click. ' +
    'Unknown or disabled codes answer 404 with a small HTML page; past the per-address limit, 429 with one.',
  params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
  response: {
    302: Type.Null({ description: 'Redirect to the landing URL.' }),
    404: {
      description: 'Unknown or disabled code: a small HTML page, no redirect.',
      content: { 'text/html': { schema: Type.String() } },
    },
    429: {
      description:
        'Too many links opened from one client address (VOUCH_RATE_LIMIT_LINKS): a small HTML page, no redirect; ' +
        'Retry-After says in how many seconds, RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset describe the limit.',
      content: { 'text/html': { schema: Type.String() } },
    },
  },
};

/**
 * The referral link as a Fastify route: it documents the link in the OpenAPI document and serves
 * requests that do not come through the server's fast path (`inject`). Both answer with `redirect`.
 */
export const redirectRoutes: FastifyPluginAsyncTypebox<{ redirect: Redirect }> = async (
  app,
  { redirect },
) => {
  // The code is read from the URL by `redirect` itself: a code too long to exist is a 404 page there.
  app.get('/r/:code', { attachValidation: true, schema }, (request, reply) => {
    reply.hijack();
    redirect(request.raw, reply.raw, request.ip);
  });
};
