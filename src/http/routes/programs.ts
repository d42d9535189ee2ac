import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { createProgram, getProgram, listPrograms, updateProgram } from '../../services/programs.ts';
import { taxReport } from '../../services/tax-report.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { presentList, presentProgram } from '../presenters.ts';
import { errorResponses, IdParams, listOf, PageQuery, pageRequest } from '../schemas/common.ts';
import { Program, ProgramCreate, ProgramUpdate, TaxReport, TaxReportQuery } from '../schemas/programs.ts';

const tags = ['programs'];

export const programRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now } = deps;

  app.post(
    '/v1/programs',
    {
      schema: {
        tags,
        summary: 'Create a program',
        body: ProgramCreate,
        response: { 201: Program, ...errorResponses(400, 401, 409, 413) },
      },
    },
    (request, reply) =>
      idempotentWrite(deps, request, reply, async (trx) => ({
        status: 201,
        body: presentProgram(await createProgram(trx, request.body, now(), actorOf(request))),
      })),
  );

  app.get(
    '/v1/programs',
    {
      schema: {
        tags,
        summary: 'List programs, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: listOf(Program), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const page = await listPrograms(store.db, pageRequest(request.query));
      return presentList(page, presentProgram);
    },
  );

  app.get(
    '/v1/programs/:id',
    {
      schema: {
        tags,
        summary: 'Get a program',
        params: IdParams,
        response: { 200: Program, ...errorResponses(401, 404) },
      },
    },
    async (request) => presentProgram(await getProgram(store.db, request.params.id)),
  );

  app.patch(
    '/v1/programs/:id',
    {
      schema: {
        tags,
        summary: 'Update a program',
        params: IdParams,
        body: ProgramUpdate,
        response: { 200: Program, ...errorResponses(400, 401, 404, 413) },
      },
    },
    async (request) =>
      presentProgram(
        await store.transaction((trx) =>
          updateProgram(trx, request.params.id, request.body, now(), actorOf(request)),
        ),
      ),
  );

  app.get(
    '/v1/programs/:id/tax_report',
    {
      schema: {
        tags,
        summary:
          'What each participant was paid in a calendar year, flagged past the tax-reporting threshold',
        params: IdParams,
        querystring: TaxReportQuery,
        response: { 200: TaxReport, ...errorResponses(400, 401, 404) },
      },
    },
    async ({ params, query }) => ({
      object: 'tax_report' as const,
      program_id: params.id,
      year: query.year,
      lines: await taxReport(store.db, params.id, query.year),
    }),
  );
};
