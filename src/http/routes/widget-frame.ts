import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { chooseLocale } from '../../lib/i18n/locales.ts';
import { portalView } from '../../services/portal/portal-view.ts';
import type { RouteDeps } from '../deps.ts';
import { framedPagePolicy, messagePage } from '../pages/layout.ts';
import { pageScript } from '../pages/page-script.ts';
import { sendPage } from '../pages/send-page.ts';
import { FRAME_SCRIPT_PATH, widgetFramePage } from '../pages/widget-frame-page.ts';
import type { WidgetAccess } from '../widget/widget-access.ts';
import { widgetBody } from '../widget/widget-body.ts';

// The share widget's iframe variant: a page of Vouch's that only the program's embed origins may
// frame (frame-ancestors), which tells its height to the framing page, and to no other.

const FRAME_SCRIPT = pageScript('widget-frame.js');
const HTML_PAGE = { content: { 'text/html': { schema: Type.String() } } };
const TAGS = ['widget'];

export const widgetFrameRoutes: FastifyPluginAsyncTypebox<RouteDeps & { access: WidgetAccess }> = async (
  app,
  { store, config, access },
) => {
  app.get(
    '/w/frame',
    {
      schema: {
        tags: TAGS,
        security: [],
        summary: 'The share widget as a page to frame',
        description:
          'For <iframe src="/w/frame?token=…">: framed only by the program\'s embed_origins (Content-Security-Policy: ' +
          'frame-ancestors); it posts its height ({type: "vouch:height", height}) to the framing page.',
        querystring: Type.Object({
          token: Type.String({ maxLength: 128, description: 'A widget token (POST /v1/portal_sessions).' }),
          locale: Type.Optional(Type.String({ maxLength: 35 })),
        }),
        response: {
          200: { description: 'The widget.', ...HTML_PAGE },
          401: { description: 'No live widget token.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const { token } = request.query;
      const locale = chooseLocale({
        requested: request.query.locale,
        acceptLanguage: request.headers['accept-language'],
      });
      // The token is in the URL: no link from this page may pass it on.
      reply.header('referrer-policy', 'no-referrer');
      const grant = await access.grantOf(token);
      if (!grant) {
        const here = (l: string) => `/w/frame?${new URLSearchParams({ token, locale: l })}`;
        const page = messagePage(locale, here, 'portal.no_session_title', 'portal.no_session_body');
        return sendPage(reply, 401, locale, page);
      }
      const view = widgetBody(await portalView(store.db, grant.participantId), locale, config.publicUrl);
      const page = widgetFramePage(view, locale, token, grant.embedOrigins);
      return sendPage(reply, 200, locale, page, framedPagePolicy(grant.embedOrigins));
    },
  );

  app.get(
    FRAME_SCRIPT_PATH,
    {
      schema: {
        tags: TAGS,
        security: [],
        summary: "The iframe page's script",
        response: {
          200: { description: 'JavaScript.', content: { 'text/javascript': { schema: Type.String() } } },
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .send(FRAME_SCRIPT),
  );
};
