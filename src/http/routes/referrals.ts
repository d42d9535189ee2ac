import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getReferral, listReferrals } from '../../services/participants/referrals.ts';
import type { RouteDeps } from '../deps.ts';
import { presentList, presentReferral } from '../presenters.ts';
import { errorResponses, IdParams, listOf, pageRequest } from '../schemas/common.ts';
import { Referral, ReferralListQuery } from '../schemas/referrals.ts';

export const referralRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store } = deps;

  app.get(
    '/v1/referrals',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['referrals'],
        summary: 'List referrals, newest first',
        querystring: ReferralListQuery,
        response: { 200: listOf(Referral), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => {
      const filter = { programId: query.program_id, referrerId: query.referrer_id, status: query.status };
      const page = await listReferrals(store.db, filter, pageRequest(query));
      return presentList(page, presentReferral);
    },
  );

  app.get(
    '/v1/referrals/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['referrals'],
        summary: 'Get a referral',
        params: IdParams,
        response: { 200: Referral, ...errorResponses(401, 404) },
      },
    },
    async ({ params }) => {
      return presentReferral(await getReferral(store.db, params.id));
    },
  );
};
