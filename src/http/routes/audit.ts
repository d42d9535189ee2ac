import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAudit } from '../../services/audit.ts';
import type { RouteDeps } from '../deps.ts';
import { presentAuditEntry, presentList } from '../presenters.ts';
import { AuditEntry, AuditListQuery } from '../schemas/audit.ts';
import { errorResponses, listOf, pageRequest } from '../schemas/common.ts';

export const auditRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.get(
    '/v1/audit_log',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['audit'],
        summary: 'Who changed what, newest first',
        description: 'Program changes, reward approvals and reversals, and payout runs, each with its actor.',
        querystring: AuditListQuery,
        response: { 200: listOf(AuditEntry), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => {
      const page = await listAudit(store.db, { subjectId: query.subject_id }, pageRequest(query));
      return presentList(page, presentAuditEntry);
    },
  );
};
