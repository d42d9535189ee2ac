import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { approveReward } from '../../services/rewards/approve-reward.ts';
import { redeemReward } from '../../services/rewards/redeem-reward.ts';
import { reverseRewardByAdmin } from '../../services/rewards/reverse-reward.ts';
import { releaseReward } from '../../services/rewards/reward-release.ts';
import { getReward, listRewards, type RewardRow } from '../../services/rewards/rewards.ts';
import type { InTransaction } from '../../store/executor.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { bodyOrEmpty, refuseBody } from '../no-body.ts';
import { presentList, presentReward } from '../presenters.ts';
import { errorResponses, IdParams, listOf, pageRequest } from '../schemas/common.ts';
import { Reward, RewardListQuery, RewardRedeem, RewardReverse } from '../schemas/rewards.ts';
import { rewardCode } from '../withheld.ts';

const tags = ['rewards'];

export const rewardRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now } = deps;
  /** Every reward write answers 200 with the reward, its code left out of the stored answer. */
  const rewardAnswer = (
    request: FastifyRequest,
    reply: FastifyReply,
    act: (trx: InTransaction) => Promise<RewardRow>,
  ) =>
    idempotentWrite(
      deps,
      request,
      reply,
      async (trx) => ({ status: 200, body: presentReward(await act(trx)) }),
      rewardCode,
    );

  app.get(
    '/v1/rewards',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List rewards, newest first',
        querystring: RewardListQuery,
        response: { 200: listOf(Reward), ...errorResponses(400, 401) },
      },
    },
    async ({ query }) => {
      const filter = {
        participantId: query.participant_id,
        referralId: query.referral_id,
        status: query.status,
        kind: query.kind,
      };
      const page = await listRewards(store.db, filter, pageRequest(query));
      return presentList(page, presentReward);
    },
  );

  app.get(
    '/v1/rewards/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a reward',
        params: IdParams,
        response: { 200: Reward, ...errorResponses(401, 404) },
      },
    },
    async ({ params }) => presentReward(await getReward(store.db, params.id)),
  );

  app.post(
    '/v1/rewards/:id/approve',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Approve a pending reward before its hold ends',
        description:
          'Cash moves from the pending to the available balance. A reward in kind is delivered at once ' +
          '(credit and points granted, a coupon code made or drawn) or opens a fulfilment task. ' +
          "A disabled participant's reward answers 422 participant_disabled until it is released.",
        params: IdParams,
        response: { 200: Reward, ...errorResponses(400, 401, 404, 409, 422) },
      },
      preValidation: refuseBody,
    },
    (request, reply) =>
      rewardAnswer(request, reply, (trx) => approveReward(trx, request.params.id, now(), actorOf(request))),
  );

  app.post(
    '/v1/rewards/:id/release',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Release a reward that waits because its participant is disabled',
        description:
          "A disabled participant's rewards wait: maturation, approval and payout runs pass over them. " +
          'A released reward follows its usual course again (hold, approval, payout) while the participant ' +
          'stays disabled, and stays released if they are disabled later. Only a pending or approved reward; ' +
          'releasing it again changes nothing.',
        params: IdParams,
        response: { 200: Reward, ...errorResponses(400, 401, 404, 409) },
      },
      preValidation: refuseBody,
    },
    (request, reply) =>
      rewardAnswer(request, reply, (trx) => releaseReward(trx, request.params.id, now(), actorOf(request))),
  );

  app.post(
    '/v1/rewards/:id/reverse',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Claw back a reward, in full or in part',
        description:
          'Taken from the pending balance while the reward is held, from the available balance after. ' +
          'A reward already paid leaves a negative available balance that later rewards offset. ' +
          'Refunds reverse rewards by themselves (POST /v1/events with type refund).',
        params: IdParams,
        body: RewardReverse,
        response: { 200: Reward, ...errorResponses(400, 401, 404, 409, 422) },
      },
    },
    (request, reply) =>
      rewardAnswer(request, reply, (trx) =>
        reverseRewardByAdmin(trx, request.params.id, request.body, now(), actorOf(request)),
      ),
  );

  app.post(
    '/v1/rewards/:id/redeem',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Record that an issued reward in kind was used',
        description:
          'For credit, coupons, gift cards and points: the whole reward moves to redeemed, and can no ' +
          'longer be clawed back. Cash is paid out instead; custom rewards are done with their task.',
        params: IdParams,
        body: RewardRedeem,
        response: { 200: Reward, ...errorResponses(400, 401, 404, 409, 422) },
      },
      preValidation: bodyOrEmpty,
    },
    (request, reply) =>
      rewardAnswer(request, reply, (trx) =>
        redeemReward(trx, request.params.id, request.body, now(), actorOf(request)),
      ),
  );
};
