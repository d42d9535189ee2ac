import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { participantLinks } from '../../services/identity/identities.ts';
import { identityKeys, storedIdentities } from '../../services/identity/identity-keys.ts';
import {
  enrollParticipant,
  getParticipant,
  type ParticipantRow,
  participantBalances,
  updateParticipant,
} from '../../services/participants/participants.ts';
import type { Executor } from '../../store/executor.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite, transactionalWrite } from '../idempotency.ts';
import { presentParticipant } from '../presenters.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { Participant, ParticipantCreate, ParticipantUpdate } from '../schemas/participants.ts';
import { participantEmail } from '../withheld.ts';

const tags = ['participants'];
const IDENTITY_PARAMS = { email: 'email', phone: 'phone', ip: 'ip' };

export const participantRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now, config, screening } = deps;
  const identitiesOf = (body: { email?: string | null | undefined }) =>
    storedIdentities(identityKeys(screening.hash, { email: body.email }, IDENTITY_PARAMS));
  const present = async (db: Executor, row: ParticipantRow) =>
    presentParticipant(
      row,
      await participantBalances(db, row.id),
      await participantLinks(db, row.id),
      config.publicUrl,
    );

  app.post(
    '/v1/participants',
    {
      config: { scope: 'events:write' },
      schema: {
        tags,
        summary: 'Enrol a participant (idempotent by program and external_id)',
        description:
          'Answers 201 when created, 200 with the existing participant when the external_id is enrolled.',
        body: ParticipantCreate,
        response: { 200: Participant, 201: Participant, ...errorResponses(400, 401, 404, 409, 413) },
      },
    },
    (request, reply) =>
      idempotentWrite(
        deps,
        request,
        reply,
        async (trx) => {
          const { participant, created } = await enrollParticipant(
            trx,
            request.body,
            now(),
            identitiesOf(request.body),
          );
          return { status: created ? 201 : 200, body: await present(trx, participant) };
        },
        participantEmail,
      ),
  );

  app.get(
    '/v1/participants/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a participant with balances per currency',
        params: IdParams,
        response: { 200: Participant, ...errorResponses(401, 404) },
      },
    },
    async (request) => present(store.db, await getParticipant(store.db, request.params.id)),
  );

  app.patch(
    '/v1/participants/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Update a participant; set a vanity referral code',
        description: 'Earlier codes keep redirecting, so links already shared stay attributed.',
        params: IdParams,
        body: ParticipantUpdate,
        response: { 200: Participant, ...errorResponses(400, 401, 404, 409, 413) },
      },
    },
    async (request, reply) =>
      transactionalWrite(store, reply, async (trx) => {
        const row = await updateParticipant(
          trx,
          request.params.id,
          request.body,
          now(),
          identitiesOf(request.body),
        );
        return { status: 200, body: await present(trx, row) };
      }),
  );
};
