import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import Type from 'typebox';
import { isRecordedChannel, isShareChannel, shareUrl } from '../../domain/share-channels.ts';
import { AppError } from '../../lib/errors.ts';
import { chooseLocale, type Locale } from '../../lib/i18n/locales.ts';
import { getParticipant } from '../../services/participants/participants.ts';
import { portalView } from '../../services/portal/portal-view.ts';
import {
  csrfMatches,
  csrfTokenOf,
  findPortalSession,
  type PortalSession,
  signOut,
} from '../../services/portal/sessions.ts';
import { openSignInLink, SESSION_TTL_MS } from '../../services/portal/sign-in.ts';
import { recordShare } from '../../services/sharing/shares.ts';
import type { RouteDeps } from '../deps.ts';
import { messagePage, PAGE_POLICY, SCRIPTED_PAGE_POLICY } from '../pages/layout.ts';
import { PORTAL_SCRIPT_PATH, portalPage } from '../pages/portal-page.ts';
import { shareMessage } from '../pages/referrer-words.ts';
import { referralUrl } from '../presenters.ts';
import { errorResponses } from '../schemas/common.ts';

// The referrer's portal under /p: server-rendered pages for a participant signed in by a one-time
// link from the business's backend (POST /v1/portal_sessions). The session is a cookie scoped to
// /p; the one form (sign out) carries a CSRF token tied to the session.

const COOKIE = 'vouch_portal';
const PORTAL_SCRIPT = readFileSync(new URL('../pages/assets/portal.js', import.meta.url), 'utf8');
const HTML_PAGE = { content: { 'text/html': { schema: Type.String() } } };
const tags = ['portal'];
const LocaleQuery = Type.Object({
  locale: Type.Optional(
    Type.String({ maxLength: 35, description: 'BCP 47; the page’s language for this request.' }),
  ),
});

function pageHeaders(reply: FastifyReply, locale: Locale): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_POLICY)
    .header('content-language', locale)
    .header('vary', 'accept-language, cookie')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');
}

const hereWith = (path: string) => (locale: Locale) => `${path}?${new URLSearchParams({ locale })}`;

export const portalRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (
  app,
  { store, now, config, secret },
) => {
  const secure = config.publicUrl.startsWith('https:');
  const localeOf = (request: FastifyRequest, session?: PortalSession) =>
    chooseLocale({
      requested: (request.query as { locale?: string }).locale ?? session?.locale ?? undefined,
      acceptLanguage: request.headers['accept-language'],
    });

  async function sessionOf(request: FastifyRequest): Promise<PortalSession | undefined> {
    const token = request.cookies[COOKIE];
    return token ? findPortalSession(store.db, token, now()) : undefined;
  }

  /** 401 for a page that needs a session, in the reader's language. */
  function signInFirst(request: FastifyRequest, reply: FastifyReply) {
    const locale = localeOf(request);
    return pageHeaders(reply, locale)
      .code(401)
      .send(messagePage(locale, hereWith('/p/'), 'portal.no_session_title', 'portal.no_session_body'));
  }

  // The one form of the portal posts a urlencoded body; nothing else under /p reads one.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.get(
    '/p/sign-in/:token',
    {
      schema: {
        tags,
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
        return pageHeaders(reply, locale)
          .code(401)
          .send(messagePage(locale, hereWith('/p/'), 'portal.link_used_title', 'portal.link_used_body'));
      }
      reply.setCookie(COOKIE, opened.token, {
        path: '/p',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: SESSION_TTL_MS / 1000,
      });
      return reply.header('cache-control', 'no-store').redirect('/p/', 303);
    },
  );

  app.get(
    '/p/',
    {
      schema: {
        tags,
        security: [],
        summary: "The referrer's portal",
        description:
          'Their link and code, a QR code, share buttons, the offer, their friends (emails masked) and their ' +
          'rewards and balances. Without a live vouch_portal session: 401 with a page.',
        querystring: LocaleQuery,
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
      const page = portalPage(view, locale, {
        referral: referralUrl(config.publicUrl, view.code),
        here: hereWith('/p/'),
        back: session.return_url,
        csrf: csrfTokenOf(session, secret),
        message: shareMessage(view, locale),
      });
      return pageHeaders(reply, locale)
        .header('content-security-policy', SCRIPTED_PAGE_POLICY)
        .code(200)
        .send(page);
    },
  );

  app.get(
    '/p/qr.:format',
    {
      schema: {
        tags,
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
    '/p/share/:channel',
    {
      schema: {
        tags,
        security: [],
        summary: 'Use a share button',
        description:
          'Records the share (channel, time, participant) so the funnel counts it, then answers 303 to the ' +
          "channel's share intent with the referrer's message and link: a plain link, so it works without JavaScript.",
        params: Type.Object({ channel: Type.String({ maxLength: 32 }) }),
        querystring: LocaleQuery,
        response: {
          303: Type.Null({ description: "On to the channel's share intent." }),
          401: { description: 'No session.', ...HTML_PAGE },
          404: { description: 'Not a channel Vouch knows.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      const { channel } = request.params;
      const locale = localeOf(request, session);
      if (!isShareChannel(channel)) {
        return pageHeaders(reply, locale)
          .code(404)
          .send(messagePage(locale, hereWith('/p/'), 'share.inactive_title', 'share.inactive_body'));
      }
      const view = await portalView(store.db, session.participant_id);
      await store.transaction((trx) =>
        recordShare(trx, { participantId: view.participantId, channel, source: 'portal' }, now()),
      );
      const message = shareMessage(view, locale);
      const target = shareUrl(channel, {
        link: referralUrl(config.publicUrl, view.code),
        message,
        subject: view.programName,
      });
      return reply.header('cache-control', 'no-store').redirect(target, 303);
    },
  );

  app.get(
    PORTAL_SCRIPT_PATH,
    {
      schema: {
        tags,
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

  app.post(
    '/p/shares',
    {
      schema: {
        tags,
        security: [],
        summary: 'Record a use of the copy button or the Web Share API',
        description:
          "Sent by the portal's script (navigator.sendBeacon) with the page's CSRF token; the share links record " +
          'their own uses. Answers 204; a wrong token or an unknown channel records nothing.',
        body: Type.Object({ channel: Type.String({ maxLength: 32 }), csrf: Type.String({ maxLength: 128 }) }),
        response: {
          204: Type.Null({ description: 'Recorded.' }),
          401: { description: 'No session.', ...HTML_PAGE },
          ...errorResponses(400, 403),
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      const { channel, csrf } = request.body;
      if (!csrfMatches(session, secret, csrf)) {
        throw new AppError('invalid_csrf_token', "csrf is not the token of this session's page.", 'csrf');
      }
      if (!isRecordedChannel(channel)) {
        throw new AppError('invalid_value', `channel '${channel}' is not one Vouch records.`, 'channel');
      }
      await store.transaction((trx) =>
        recordShare(trx, { participantId: session.participant_id, channel, source: 'portal' }, now()),
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/p/sign-out',
    {
      schema: {
        tags,
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
      reply.clearCookie(COOKIE, { path: '/p' });
      return reply.redirect(session.return_url ?? '/p/signed-out', 303);
    },
  );

  app.get(
    '/p/signed-out',
    {
      schema: {
        tags,
        security: [],
        summary: 'The page after signing out',
        querystring: LocaleQuery,
        response: { 200: { description: 'Signed out.', ...HTML_PAGE } },
      },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      return pageHeaders(reply, locale)
        .code(200)
        .send(
          messagePage(locale, hereWith('/p/signed-out'), 'portal.signed_out_title', 'portal.signed_out_body'),
        );
    },
  );
};
