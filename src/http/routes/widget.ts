import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { isRecordedChannel } from '../../domain/share-channels.ts';
import { AppError } from '../../lib/errors.ts';
import { chooseLocale } from '../../lib/i18n/locales.ts';
import { portalView } from '../../services/portal/portal-view.ts';
import { recordShare } from '../../services/sharing/shares.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';
import { WidgetQuery, WidgetShareCreate, WidgetView } from '../schemas/widget.ts';
import type { WidgetAccess } from '../widget/widget-access.ts';
import { widgetBody } from '../widget/widget-body.ts';

// The share widget's API under /w/v1, for <vouch-referral> on the business's own pages: bearer
// widget tokens, not API keys, and CORS for the program's embed_origins only (widget-access.ts).

const WIDGET_SCRIPT = readFileSync(new URL('../pages/assets/widget.js', import.meta.url), 'utf8');
// After its day in a cache, a browser asks again with the tag: an unchanged script costs a 304.
const WIDGET_ETAG = `"${createHash('sha256').update(WIDGET_SCRIPT).digest('base64url').slice(0, 22)}"`;
const TAGS = ['widget'];
const WIDGET_SECURITY = [{ widgetToken: [] }];

const DENIED = {
  401: Type.Ref('Error', {
    description:
      'invalid_widget_token: no widget token, or one forged, expired or of a disabled participant.',
  }),
  403: Type.Ref('Error', {
    description:
      "origin_not_allowed: the page's Origin is not among the program's embed_origins (no CORS headers).",
  }),
};
const PREFLIGHT = {
  tags: TAGS,
  security: [],
  summary: 'CORS preflight',
  description:
    "204 with Access-Control-Allow-* for an origin in some program's embed_origins; 403 otherwise.",
  response: {
    204: Type.Null({ description: 'Allowed.' }),
    403: DENIED[403],
  },
};

export const widgetRoutes: FastifyPluginAsyncTypebox<RouteDeps & { access: WidgetAccess }> = async (
  app,
  { store, now, config, access },
) => {
  app.options('/w/v1/referrer', { schema: PREFLIGHT }, (request, reply) => access.preflight(request, reply));
  app.options('/w/v1/shares', { schema: PREFLIGHT }, (request, reply) => access.preflight(request, reply));

  app.get(
    '/w/v1/referrer',
    {
      schema: {
        tags: TAGS,
        security: WIDGET_SECURITY,
        summary: "The widget's referrer: link, offer, share URLs, counts and balances",
        description: 'Every text is in the locale asked for (or the browser’s), ready to show.',
        querystring: WidgetQuery,
        response: { 200: WidgetView, ...errorResponses(400), ...DENIED },
      },
    },
    async (request, reply) => {
      const grant = await access.authorize(request, reply);
      const locale = chooseLocale({
        requested: request.query.locale,
        acceptLanguage: request.headers['accept-language'],
      });
      const view = await portalView(store.db, grant.participantId);
      reply.header('cache-control', 'private, no-store');
      return widgetBody(view, locale, config.publicUrl);
    },
  );

  app.post(
    '/w/v1/shares',
    {
      schema: {
        tags: TAGS,
        security: WIDGET_SECURITY,
        summary: 'Record a use of a share button, the copy button or the Web Share API',
        description: 'The widget sends one per use, so the funnel counts widget shares (source widget).',
        body: WidgetShareCreate,
        response: { 204: Type.Null({ description: 'Recorded.' }), ...errorResponses(400, 415), ...DENIED },
      },
    },
    async (request, reply) => {
      const grant = await access.authorize(request, reply);
      const { channel } = request.body;
      if (!isRecordedChannel(channel)) {
        throw new AppError('invalid_value', `channel '${channel}' is not one Vouch records.`, 'channel');
      }
      const share = { participantId: grant.participantId, programId: grant.programId, channel };
      await store.transaction((trx) => recordShare(trx, { ...share, source: 'widget' }, now()));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/widget.js',
    {
      schema: {
        tags: TAGS,
        security: [],
        summary: 'The share widget script, defining <vouch-referral>',
        description:
          'Plain JavaScript, no dependencies, loading nothing from elsewhere. Cached for a day; it reads its data from /w/v1.',
        response: {
          200: { description: 'JavaScript.', content: { 'text/javascript': { schema: Type.String() } } },
          304: Type.Null({ description: 'Unchanged since the ETag sent in If-None-Match.' }),
        },
      },
    },
    async (request, reply) => {
      reply
        // Long-lived, not immutable: the URL carries no version, so a new release reaches pages within a day.
        .header('cache-control', 'public, max-age=86400, stale-while-revalidate=604800')
        .header('etag', WIDGET_ETAG)
        .header('x-content-type-options', 'nosniff')
        // Any page may load the script; its API calls are what the embed origins govern.
        .header('cross-origin-resource-policy', 'cross-origin');
      if (request.headers['if-none-match'] === WIDGET_ETAG) return reply.code(304).send(null);
      return reply.type('text/javascript; charset=utf-8').send(WIDGET_SCRIPT);
    },
  );
};
