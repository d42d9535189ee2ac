import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { PortalSessionCreate } from '../../domain/inputs/portal.ts';
import { canonicalTag } from '../../lib/i18n/locales.ts';
import { createSignInLink, SIGN_IN_TTL_MS } from '../../services/portal/sign-in.ts';
import { issueWidgetToken, WIDGET_TOKEN_TTL_MS } from '../../services/widget/widget-tokens.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';

const PortalSession = Type.Object(
  {
    object: Type.Literal('portal_session'),
    participant_id: Type.String(),
    url: Type.String({
      description: `Open it in the referrer's browser (redirect them to it) within ${SIGN_IN_TTL_MS / 1000} seconds: it works once, then opens a 12-hour portal session.`,
    }),
    expires_at: Type.String({ format: 'date-time' }),
    widget_token: Type.String({
      description: `A bearer token for the share widget on your pages (<vouch-referral token="…">, or the iframe at /w/frame), bound to this participant: it reads their link, offer and counts and records their shares, from the program's embed_origins only, for ${WIDGET_TOKEN_TTL_MS / 60_000} minutes. Ask for a new one on each page load.`,
    }),
    widget_token_expires_at: Type.String({ format: 'date-time' }),
  },
  { title: 'PortalSession' },
);

export const portalSessionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (
  app,
  { store, now, config },
) => {
  app.post(
    '/v1/portal_sessions',
    {
      config: { scope: 'portal:write' },
      schema: {
        tags: ['portal'],
        summary: 'Sign a participant in to their portal',
        description:
          'For a referrer signed in to your own site: answers a one-time URL into their portal at /p/, valid ' +
          'for a minute, and a widget token for the share widget on your pages, valid for an hour. Each call ' +
          'makes a new link and token; unused ones expire harmlessly, so a retry is safe.',
        body: PortalSessionCreate,
        response: { 201: PortalSession, ...errorResponses(400, 401, 404, 413, 422) },
      },
    },
    async (request, reply) => {
      const { locale, ...rest } = request.body;
      const canonical = locale === undefined ? undefined : canonicalTag(locale, 'locale');
      const at = now();
      const { link, widget } = await store.transaction(async (trx) => {
        const link = await createSignInLink(trx, { ...rest, locale: canonical }, at);
        return { link, widget: await issueWidgetToken(trx, request.body.participant_id, at) };
      });
      return reply.code(201).send({
        object: 'portal_session' as const,
        participant_id: request.body.participant_id,
        url: `${config.publicUrl}/p/sign-in/${link.token}`,
        expires_at: link.expiresAt.toISOString(),
        widget_token: widget.token,
        widget_token_expires_at: widget.expiresAt.toISOString(),
      });
    },
  );
};
