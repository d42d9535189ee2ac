import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { listDeliveries, replayDelivery } from '../../services/webhooks/webhook-dispatch.ts';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  rotateSecret,
  updateEndpoint,
} from '../../services/webhooks/webhook-endpoints.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite, transactionalWrite } from '../idempotency.ts';
import { bodyOrEmpty, refuseBody } from '../no-body.ts';
import { presentDelivery, presentEndpoint, presentList } from '../presenters.ts';
import { errorResponses, IdParams, listOf, PageQuery, pageRequest } from '../schemas/common.ts';
import {
  DeliveryListQuery,
  SecretRotation,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
  WebhookEndpointWithSecret,
} from '../schemas/webhooks.ts';
import { endpointSecret } from '../withheld.ts';

const tags = ['webhooks'];

export const webhookRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now, config } = deps;
  const allowPrivate = config.webhooks.allowPrivate;
  const { keyring } = store;
  const withheldSecret = endpointSecret(keyring);

  app.post(
    '/v1/webhook_endpoints',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Add a webhook endpoint; its signing secret is shown once',
        body: WebhookEndpointCreate,
        response: { 201: WebhookEndpointWithSecret, ...errorResponses(400, 401, 409) },
      },
    },
    (request, reply) =>
      idempotentWrite(
        deps,
        request,
        reply,
        async (trx) => {
          const { row, secret } = await createEndpoint(
            trx,
            keyring,
            request.body,
            allowPrivate,
            now(),
            actorOf(request),
          );
          return { status: 201, body: { ...presentEndpoint(row), secret } };
        },
        withheldSecret,
      ),
  );

  app.get(
    '/v1/webhook_endpoints',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List webhook endpoints, newest first',
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: listOf(WebhookEndpoint), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => presentList(await listEndpoints(store.db, pageRequest(query)), presentEndpoint),
  );

  app.get(
    '/v1/webhook_endpoints/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a webhook endpoint',
        params: IdParams,
        response: { 200: WebhookEndpoint, ...errorResponses(401, 404) },
      },
    },
    async ({ params }) => presentEndpoint(await getEndpoint(store.db, params.id)),
  );

  app.patch(
    '/v1/webhook_endpoints/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Change an endpoint: url, events, description, or enable and disable it',
        params: IdParams,
        body: WebhookEndpointUpdate,
        response: { 200: WebhookEndpoint, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) =>
      transactionalWrite(store, reply, async (trx) => ({
        status: 200,
        body: presentEndpoint(
          await updateEndpoint(trx, request.params.id, request.body, allowPrivate, now(), actorOf(request)),
        ),
      })),
  );

  app.delete(
    '/v1/webhook_endpoints/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Delete an endpoint: it receives nothing more; its delivery log stays',
        params: IdParams,
        response: { 200: WebhookEndpoint, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) =>
      transactionalWrite(store, reply, async (trx) => ({
        status: 200,
        body: presentEndpoint(await deleteEndpoint(trx, request.params.id, now(), actorOf(request))),
      })),
  );

  app.post(
    '/v1/webhook_endpoints/:id/rotate_secret',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Replace the signing secret; the old one keeps signing for overlap_hours',
        params: IdParams,
        body: SecretRotation,
        response: { 200: WebhookEndpointWithSecret, ...errorResponses(400, 401, 404) },
      },
      preValidation: bodyOrEmpty,
    },
    (request, reply) =>
      idempotentWrite(
        deps,
        request,
        reply,
        async (trx) => {
          const overlap = request.body.overlap_hours ?? 24;
          const { row, secret } = await rotateSecret(
            trx,
            keyring,
            request.params.id,
            overlap,
            now(),
            actorOf(request),
          );
          return { status: 200, body: { ...presentEndpoint(row), secret } };
        },
        withheldSecret,
      ),
  );

  app.get(
    '/v1/webhook_endpoints/:id/deliveries',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "An endpoint's deliveries, newest first, with each attempt",
        params: IdParams,
        querystring: DeliveryListQuery,
        response: { 200: listOf(WebhookDelivery), ...errorResponses(400, 401, 404) },
      },
    },
    async ({ params, query }) =>
      presentList(
        // One snapshot, so a delivery and its attempt log are read as of the same commit.
        await store.snapshot((trx) =>
          listDeliveries(trx, { endpointId: params.id, status: query.status }, pageRequest(query)),
        ),
        presentDelivery,
      ),
  );

  app.post(
    '/v1/webhook_deliveries/:id/replay',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Send a delivery again now, with the same webhook-id',
        params: IdParams,
        response: { 200: WebhookDelivery, ...errorResponses(400, 401, 404, 409) },
      },
      preValidation: refuseBody,
    },
    (request, reply) =>
      idempotentWrite(deps, request, reply, async (trx) => ({
        status: 200,
        body: presentDelivery(await replayDelivery(trx, request.params.id, now(), actorOf(request))),
      })),
  );
};
