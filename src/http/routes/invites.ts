import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createInvite, listInvites } from '../../services/participants/invites.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { presentInvite, presentList } from '../presenters.ts';
import { errorResponses, listOf, pageRequest } from '../schemas/common.ts';
import { Invite, InviteCreate, InviteListQuery } from '../schemas/invites.ts';
import { inviteEmail } from '../withheld.ts';

const tags = ['invites'];

export const inviteRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now, screening, clicks } = deps;

  app.post(
    '/v1/invites',
    {
      config: { scope: 'events:write' },
      schema: {
        tags,
        summary: 'Record an invite by email (idempotent by referrer and normalised email)',
        description:
          'A referrer invites a friend by email, or a visitor who arrived through a click leaves their email ' +
          '(give click_id). A later sign-up with that email, or an alias of it, on any device, is attributed ' +
          'to the referrer when it carries no click id or code. Emits invite.created for your mailer.',
        body: InviteCreate,
        response: { 200: Invite, 201: Invite, ...errorResponses(400, 401, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      // A lead form is sent right after its click, which may still be in this process's memory
      // (buffered clicks, or a failed write waiting for its retry).
      if (request.body.click_id) await clicks.flush();
      return idempotentWrite(
        deps,
        request,
        reply,
        async (trx) => {
          const { invite, created } = await createInvite(trx, request.body, now(), screening.hash);
          return { status: created ? 201 : 200, body: presentInvite(invite) };
        },
        inviteEmail,
      );
    },
  );

  app.get(
    '/v1/invites',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List invites, newest first',
        querystring: InviteListQuery,
        response: { 200: listOf(Invite), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => {
      const filter = { referrerId: query.participant_id, programId: query.program_id };
      return presentList(await listInvites(store.db, filter, pageRequest(query)), presentInvite);
    },
  );
};
