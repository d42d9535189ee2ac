import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  checkExportTable,
  cursorFrom,
  EXPORT_TABLES,
  exportColumns,
  exportPage,
  SETTLE_MS,
} from '../../services/exports/exports.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses, Timestamp } from '../schemas/common.ts';

const ExportQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'The next_cursor of the page before.' }),
    ),
    since: Type.Optional({
      ...Timestamp,
      description: 'Without a cursor: start with the rows made at this time.',
    }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Default 1000.' })),
  },
  { additionalProperties: false },
);

const ExportPage = Type.Object(
  {
    object: Type.Literal('export_page'),
    table: Type.String(),
    columns: Type.Array(Type.String()),
    data: Type.Array(Type.Object({}, { additionalProperties: true })),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Resume with after=next_cursor.' }),
    has_more: Type.Boolean(),
  },
  { title: 'ExportPage' },
);

export const exportRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now } = deps;

  app.get(
    '/v1/exports/:table',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['exports'],
        summary: 'Read a table for a data warehouse, oldest first, from a resumable cursor',
        description:
          `Tables: ${EXPORT_TABLES.join(', ')} (columns in the README). Rows appear once they are ` +
          `${SETTLE_MS / 1000} s old, so a cursor never passes a row that commits late. JSON columns ` +
          '(events.result, webhook_events.payload) are JSON text.',
        params: Type.Object({ table: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: ExportQuery,
        response: { 200: ExportPage, ...errorResponses(400, 401) },
      },
    },
    async ({ params, query }) => {
      const table = checkExportTable(params.table);
      const since = query.since === undefined ? undefined : new Date(query.since);
      const cursor = cursorFrom(table, query.after, since);
      const page = await exportPage(store.db, table, cursor, query.limit ?? 1000, now());
      return {
        object: 'export_page' as const,
        table,
        columns: [...exportColumns(table)],
        data: page.rows,
        next_cursor: page.cursor,
        has_more: page.hasMore,
      };
    },
  );
};
