import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { fraudReport } from '../../services/fraud/fraud-report.ts';
import { decideReview, getReview, listReviews } from '../../services/fraud/reviews.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { presentList, presentReview } from '../presenters.ts';
import { errorResponses, IdParams, listOf, pageRequest } from '../schemas/common.ts';
import {
  FraudReport,
  FraudReportQuery,
  Review,
  ReviewDecision,
  ReviewListQuery,
} from '../schemas/reviews.ts';

const tags = ['fraud'];

export const reviewRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now } = deps;

  app.get(
    '/v1/reviews',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The fraud review queue, newest first',
        description:
          'Referrals whose fraud score reached the review threshold; filter with status=open for the queue.',
        querystring: ReviewListQuery,
        response: { 200: listOf(Review), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => {
      const filter = { programId: query.program_id, referralId: query.referral_id, status: query.status };
      return presentList(await listReviews(store.db, filter, pageRequest(query)), presentReview);
    },
  );

  app.get(
    '/v1/reviews/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a review',
        params: IdParams,
        response: { 200: Review, ...errorResponses(401, 404) },
      },
    },
    async ({ params }) => presentReview(await getReview(store.db, params.id)),
  );

  for (const [action, decision, summary] of [
    ['approve', 'approved', 'Approve: the referral stands, and its rewards follow their hold'],
    ['reject', 'rejected', 'Reject: the referral is rejected and its rewards are voided'],
  ] as const) {
    app.post(
      `/v1/reviews/:id/${action}`,
      {
        config: { scope: 'admin' },
        schema: {
          tags,
          summary,
          description:
            'The note and the deciding key go to the audit log. A decided review answers 409 review_not_open.',
          params: IdParams,
          body: ReviewDecision,
          response: { 200: Review, ...errorResponses(400, 401, 404, 409) },
        },
      },
      (request, reply) =>
        idempotentWrite(deps, request, reply, async (trx) => {
          const { id } = request.params;
          const review = await decideReview(trx, id, decision, request.body.note, now(), actorOf(request));
          return { status: 200, body: presentReview(review) };
        }),
    );
  }

  app.get(
    '/v1/programs/:id/fraud_report',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "A program's fraud incidence: signals per rule and referral outcomes over a period",
        params: IdParams,
        querystring: FraudReportQuery,
        response: { 200: FraudReport, ...errorResponses(400, 401, 404) },
      },
    },
    async ({ params, query }) => fraudReport(store.db, params.id, query, now()),
  );
};
