import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { createPayout } from '../../services/payouts/create-payout.ts';
import { getPayout, getPayoutLines, listPayouts } from '../../services/payouts/payouts.ts';
import { settle } from '../../services/payouts/settle-payout.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { refuseBody } from '../no-body.ts';
import { payoutCsv } from '../payout-csv.ts';
import { presentList, presentPayout } from '../presenters.ts';
import { errorResponses, IdParams, listOf, pageRequest } from '../schemas/common.ts';
import { Payout, PayoutCreate, PayoutListQuery } from '../schemas/payouts.ts';

const tags = ['payouts'];

export const payoutRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now } = deps;

  app.post(
    '/v1/payouts',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Open a payout run',
        description:
          "Pays every participant of the program whose available balance in the currency reaches the program's " +
          'payout minimum; the money is `processing` until the run is confirmed or canceled. One open run per ' +
          'program and currency.',
        body: PayoutCreate,
        response: { 201: Payout, ...errorResponses(400, 401, 404, 409, 422) },
      },
    },
    (request, reply) =>
      idempotentWrite(deps, request, reply, async (trx) => ({
        status: 201,
        body: presentPayout(await createPayout(trx, request.body, now(), actorOf(request))),
      })),
  );

  app.get(
    '/v1/payouts',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List payout runs, newest first',
        querystring: PayoutListQuery,
        response: { 200: listOf(Payout), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => {
      const page = await listPayouts(store.db, { programId: query.program_id }, pageRequest(query));
      return presentList(page, presentPayout);
    },
  );

  app.get(
    '/v1/payouts/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a payout run',
        params: IdParams,
        response: { 200: Payout, ...errorResponses(401, 404) },
      },
    },
    async ({ params }) => presentPayout(await getPayout(store.db, params.id)),
  );

  app.get(
    '/v1/payouts/:id/items.csv',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "A run's lines as CSV, for a bank or PayPal mass payout",
        description:
          'Columns: email, amount (decimal, in major units), currency, reference (the line id), participant_id, ' +
          'external_id, name. Cells that a spreadsheet would read as a formula are escaped.',
        params: IdParams,
        response: {
          200: {
            description: "The run's lines, one CSV row each after a header row.",
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...errorResponses(401, 404),
        },
      },
    },
    async ({ params }, reply) => {
      const lines = await getPayoutLines(store.db, params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${params.id}.csv"`)
        .send(payoutCsv(lines));
    },
  );

  for (const [action, status] of [
    ['confirm', 'paid'],
    ['cancel', 'canceled'],
  ] as const) {
    app.post(
      `/v1/payouts/:id/${action}`,
      {
        config: { scope: 'admin' },
        schema: {
          tags,
          summary:
            action === 'confirm'
              ? 'Confirm a run paid: its balances become paid and its rewards issued'
              : 'Cancel a run: its balances return to available',
          params: IdParams,
          response: { 200: Payout, ...errorResponses(400, 401, 404, 409) },
        },
        preValidation: refuseBody,
      },
      (request, reply) =>
        idempotentWrite(deps, request, reply, async (trx) => ({
          status: 200,
          body: presentPayout(await settle(trx, request.params.id, status, now(), actorOf(request))),
        })),
    );
  }
};
