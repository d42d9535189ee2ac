import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { completeTask, getTask, listTasks } from '../../services/rewards/fulfilment-tasks.ts';
import { addCodes, createPool, getPool, listPools } from '../../services/rewards/reward-pools.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { presentList, presentPool, presentTask } from '../presenters.ts';
import { errorResponses, IdParams, listOf, pageRequest } from '../schemas/common.ts';
import {
  FulfilmentTask,
  PoolCodesAdd,
  PoolCodesAdded,
  RewardPool,
  RewardPoolCreate,
  RewardPoolListQuery,
  TaskComplete,
  TaskListQuery,
} from '../schemas/fulfilment.ts';
import { taskRecipientEmail } from '../withheld.ts';

const tags = ['fulfilment'];
// 10,000 codes of up to 128 characters, JSON-quoted: past the 64 KiB every other route takes.
const CODES_BODY_LIMIT = 2 * 1024 * 1024;

export const fulfilmentRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now } = deps;

  app.post(
    '/v1/reward_pools',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Create a pool of coupon or gift-card codes',
        description: 'Name it in a reward rule as pool_id; rewards draw one code each when approved.',
        body: RewardPoolCreate,
        response: { 201: RewardPool, ...errorResponses(400, 401, 404, 409) },
      },
    },
    (request, reply) =>
      idempotentWrite(deps, request, reply, async (trx) => ({
        status: 201,
        body: presentPool(await createPool(trx, request.body, now(), actorOf(request))),
      })),
  );

  app.get(
    '/v1/reward_pools',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List pools, newest first',
        querystring: RewardPoolListQuery,
        response: { 200: listOf(RewardPool), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) =>
      presentList(
        await listPools(store.db, { programId: query.program_id }, pageRequest(query)),
        presentPool,
      ),
  );

  app.get(
    '/v1/reward_pools/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a pool and how many codes it has left',
        params: IdParams,
        response: { 200: RewardPool, ...errorResponses(401, 404) },
      },
    },
    async ({ params }) => presentPool(await getPool(store.db, params.id)),
  );

  app.post(
    '/v1/reward_pools/:id/codes',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Add codes to a pool',
        description: 'Rewards approved while the pool was empty get their codes at once, oldest first.',
        params: IdParams,
        body: PoolCodesAdd,
        response: { 200: PoolCodesAdded, ...errorResponses(400, 401, 404, 409, 413) },
      },
      bodyLimit: CODES_BODY_LIMIT,
    },
    (request, reply) =>
      idempotentWrite(deps, request, reply, async (trx) => {
        const added = await addCodes(trx, request.params.id, request.body.codes, now(), actorOf(request));
        return { status: 200, body: { ...added, pool: presentPool(added.pool) } };
      }),
  );

  app.get(
    '/v1/fulfilment_tasks',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Fulfilment tasks, newest first',
        description: 'Custom rewards and gift cards without a pool, waiting for someone to deliver them.',
        querystring: TaskListQuery,
        response: { 200: listOf(FulfilmentTask), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => {
      const filter = { status: query.status, programId: query.program_id, rewardId: query.reward_id };
      return presentList(await listTasks(store.db, filter, pageRequest(query)), presentTask);
    },
  );

  app.get(
    '/v1/fulfilment_tasks/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a fulfilment task',
        params: IdParams,
        response: { 200: FulfilmentTask, ...errorResponses(401, 404) },
      },
    },
    async ({ params }) => presentTask(await getTask(store.db, params.id)),
  );

  app.post(
    '/v1/fulfilment_tasks/:id/complete',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Mark a task done: its reward is issued',
        params: IdParams,
        body: TaskComplete,
        response: { 200: FulfilmentTask, ...errorResponses(400, 401, 404, 409) },
      },
    },
    (request, reply) =>
      idempotentWrite(
        deps,
        request,
        reply,
        async (trx) => ({
          status: 200,
          body: presentTask(
            await completeTask(trx, request.params.id, request.body, now(), actorOf(request)),
          ),
        }),
        taskRecipientEmail,
      ),
  );
};
