import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { csrfMatches, signOut } from '../../services/portal/sessions.ts';
import { openSignInLink } from '../../services/portal/sign-in.ts';
import type { RouteDeps } from '../deps.ts';
import {
  HTML_PAGE,
  LocaleQuery,
  PORTAL_COOKIE,
  PORTAL_TAGS,
  portalRequests,
  sendMessage,
  startSession,
} from './portal-requests.ts';

// Into the portal by the one-time link from POST /v1/portal_sessions, and out by its form.
export const portalSignInRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now, config, secret } = deps;
  const { localeOf, sessionOf, signInFirst } = portalRequests(deps);

  app.get(
    '/p/sign-in/:token',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Open a portal sign-in link',
        description:
          'Used once, within a minute of POST /v1/portal_sessions: sets the HttpOnly vouch_portal session cookie ' +
          '(Path=/p, SameSite=Lax, 12 hours) and answers 303 to /p/. A used, expired or forged link answers 401 with a page.',
        params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
        response: {
          303: Type.Null({ description: 'Signed in: on to /p/.' }),
          401: { description: 'The link was used already, has expired, or never existed.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const opened = await store.transaction((trx) => openSignInLink(trx, request.params.token, now()));
      if (!opened) {
        const locale = localeOf(request);
        return sendMessage(reply, 401, locale, '/p/', 'portal.link_used_title', 'portal.link_used_body');
      }
      return startSession(reply, opened, config.publicUrl);
    },
  );

  app.post(
    '/p/sign-out',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Sign out of the portal',
        description:
          'A form post carrying the page’s CSRF token; `everywhere=1` ends every session of the participant. ' +
          'Answers 303 to the return_url of the sign-in, or to a page saying so.',
        body: Type.Object({
          csrf: Type.String({ maxLength: 128 }),
          everywhere: Type.Optional(Type.Literal('1')),
        }),
        response: {
          303: Type.Null({
            description:
              'Signed out; or, when the CSRF token is wrong, nothing happened and this leads back to /p/.',
          }),
          401: { description: 'No session.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      // A form that did not come from the portal's own page signs nobody out: back to the portal.
      if (!csrfMatches(session, secret, request.body.csrf)) {
        return reply.redirect('/p/', 303);
      }
      await signOut(store.db, session, now(), request.body.everywhere === '1');
      reply.clearCookie(PORTAL_COOKIE, { path: '/p' });
      return reply.redirect(session.return_url ?? '/p/signed-out', 303);
    },
  );

  app.get(
    '/p/signed-out',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'The page after signing out',
        querystring: LocaleQuery,
        response: { 200: { description: 'Signed out.', ...HTML_PAGE } },
      },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      return sendMessage(
        reply,
        200,
        locale,
        '/p/signed-out',
        'portal.signed_out_title',
        'portal.signed_out_body',
      );
    },
  );
};
