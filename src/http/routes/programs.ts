import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { journal } from '../../services/ledger/journal.ts';
import { taxReport } from '../../services/payouts/tax-report.ts';
import { createProgram, getProgram, listPrograms, updateProgram } from '../../services/programs/programs.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite, transactionalWrite } from '../idempotency.ts';
import { JOURNAL_COLUMNS, journalCsv } from '../journal-csv.ts';
import { presentList, presentProgram } from '../presenters.ts';
import { errorResponses, IdParams, listOf, PageQuery, pageRequest } from '../schemas/common.ts';
import {
  JournalQuery,
  Program,
  ProgramCreate,
  ProgramUpdate,
  TaxReport,
  TaxReportQuery,
} from '../schemas/programs.ts';

const tags = ['programs'];

export const programRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now } = deps;

  app.post(
    '/v1/programs',
    {
      config: { scope: 'admin' },
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
      config: { scope: 'read' },
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
      config: { scope: 'read' },
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
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Update a program',
        params: IdParams,
        body: ProgramUpdate,
        response: { 200: Program, ...errorResponses(400, 401, 404, 413) },
      },
    },
    async (request, reply) =>
      transactionalWrite(store, reply, async (trx) => ({
        status: 200,
        body: presentProgram(
          await updateProgram(trx, request.params.id, request.body, now(), actorOf(request)),
        ),
      })),
  );

  app.get(
    '/v1/programs/:id/tax_report',
    {
      config: { scope: 'read' },
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

  app.get(
    '/v1/programs/:id/journal.csv',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "The program's ledger journal as CSV, each entry with its accounting class",
        description:
          'Columns: ' +
          JOURNAL_COLUMNS.join(', ') +
          '. One row per ledger entry, in order; the entries of a posting sum to zero per currency. ' +
          'accounting_class says how finance books the reward (marketing_expense, contra_revenue, ' +
          'customer_acquisition_cost); payout entries have none.',
        params: IdParams,
        querystring: JournalQuery,
        // Streamed: the schema documents the body, the stream is sent as is.
        response: {
          200: {
            description: 'The journal, one CSV row per ledger entry after a header row.',
            content: { 'text/csv': { schema: Type.Unsafe<Readable>({ type: 'string' }) } },
          },
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async ({ params, query }, reply) => {
      const lines = await journal(store.db, params.id, query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${params.id}-journal.csv"`)
        .send(journalCsv(lines));
    },
  );
};
