import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { PortalSessionCreate } from '../../domain/inputs/portal.ts';
import { canonicalTag } from '../../lib/i18n/locales.ts';
import { createSignInLink, SIGN_IN_TTL_MS } from '../../services/portal/sign-in.ts';
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
          'for a minute. Each call makes a new link; an unused one expires harmlessly, so a retry is safe.',
        body: PortalSessionCreate,
        response: { 201: PortalSession, ...errorResponses(400, 401, 404, 413, 422) },
      },
    },
    async (request, reply) => {
      const { locale, ...rest } = request.body;
      const canonical = locale === undefined ? undefined : canonicalTag(locale, 'locale');
      const link = await store.transaction((trx) =>
        createSignInLink(trx, { ...rest, locale: canonical }, now()),
      );
      return reply.code(201).send({
        object: 'portal_session' as const,
        participant_id: request.body.participant_id,
        url: `${config.publicUrl}/p/sign-in/${link.token}`,
        expires_at: link.expiresAt.toISOString(),
      });
    },
  );
};
