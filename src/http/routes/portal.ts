import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import QRCode from 'qrcode';
import Type from 'typebox';
import { referralUrl } from '../../domain/referral-codes.ts';
import { wantedCategories } from '../../services/emails/preferences.ts';
import { getParticipant } from '../../services/participants/participants.ts';
import { portalView } from '../../services/portal/portal-view.ts';
import { csrfTokenOf } from '../../services/portal/sessions.ts';
import { shareMessage } from '../../services/sharing/referrer-words.ts';
import { SCRIPTED_PAGE_POLICY } from '../pages/layout.ts';
import { pageScript } from '../pages/page-script.ts';
import { PORTAL_SCRIPT_PATH, portalPage } from '../pages/portal-page.ts';
import { sendPage } from '../pages/send-page.ts';
import { type PortalDeps, portalEmailRoutes } from './portal-email.ts';
import { HTML_PAGE, hereWith, LocaleQuery, PORTAL_TAGS, portalRequests } from './portal-requests.ts';
import { portalShareRoutes } from './portal-shares.ts';
import { portalSignInRoutes } from './portal-sign-in.ts';

// The referrer's portal under /p: server-rendered pages for a participant signed in by a one-time
// link from the business's backend (POST /v1/portal_sessions). The session is a cookie scoped to
// /p; its form and its script's beacons carry a CSRF token tied to the session.

const PORTAL_SCRIPT = pageScript('portal.js');

export const portalRoutes: FastifyPluginAsyncTypebox<PortalDeps> = async (app, deps) => {
  const { store, config, secret } = deps;
  const { localeOf, sessionOf, signInFirst } = portalRequests(deps);

  // The portal's form and beacons post urlencoded bodies; nothing else reads one.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  await app.register(portalSignInRoutes, deps);
  await app.register(portalShareRoutes, deps);
  await app.register(portalEmailRoutes, deps);

  app.get(
    '/p/',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: "The referrer's portal",
        description:
          'Their link and code, a QR code, share buttons, the offer, their friends (emails masked) and their ' +
          'rewards and balances. Without a live vouch_portal session: 401 with a page.',
        querystring: Type.Object({
          ...LocaleQuery.properties,
          emails: Type.Optional(Type.Literal('saved', { description: 'Says the email choices were saved.' })),
        }),
        response: {
          200: { description: 'The portal.', ...HTML_PAGE },
          401: { description: 'No session.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      const locale = localeOf(request, session);
      const view = await portalView(store.db, session.participant_id);
      // Email choices only where Vouch sends emails.
      const emails = config.email
        ? {
            wanted: await wantedCategories(store.db, session.participant_id),
            saved: request.query.emails === 'saved',
          }
        : null;
      const page = portalPage(view, locale, {
        referral: referralUrl(config.publicUrl, view.code),
        here: hereWith('/p/'),
        back: session.return_url,
        csrf: csrfTokenOf(session, secret),
        message: shareMessage(view, locale),
        emails,
      });
      return sendPage(reply, 200, locale, page, SCRIPTED_PAGE_POLICY);
    },
  );

  app.get(
    '/p/qr.:format',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: "A QR code of the signed-in referrer's link",
        params: Type.Object({ format: Type.Union([Type.Literal('svg'), Type.Literal('png')]) }),
        response: {
          200: {
            description: 'The QR code, as SVG or PNG.',
            content: {
              'image/svg+xml': { schema: Type.String() },
              'image/png': { schema: Type.Unsafe<string | Buffer>({ type: 'string', format: 'binary' }) },
            },
          },
          401: { description: 'No session.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      const { referral_code } = await getParticipant(store.db, session.participant_id);
      const link = referralUrl(config.publicUrl, referral_code);
      reply.header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff');
      if (request.params.format === 'svg') {
        return reply.type('image/svg+xml').send(await QRCode.toString(link, { type: 'svg', margin: 2 }));
      }
      return reply
        .type('image/png')
        .send(await QRCode.toBuffer(link, { type: 'png', margin: 2, width: 512 }));
    },
  );

  app.get(
    PORTAL_SCRIPT_PATH,
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: "The portal's script",
        description:
          'Shows the copy button and, where the browser has it, the Web Share API button; the page works without it.',
        response: {
          200: { description: 'JavaScript.', content: { 'text/javascript': { schema: Type.String() } } },
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(PORTAL_SCRIPT),
  );
};
