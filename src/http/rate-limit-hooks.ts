import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../lib/errors.ts';
import { sendError } from './error-handler.ts';
import type { Limiters, LimitState } from './rate-limiter.ts';

/** Whole seconds, rounded up, so a client that waits them finds its window over. */
export function secondsUntil(ms: number): number {
  return Math.max(Math.ceil(ms / 1000), 1);
}

/** The RateLimit-* headers of the IETF draft, as express-rate-limit and others send them. */
export function rateLimitHeaders(state: LimitState): Record<string, string> {
  return {
    'ratelimit-limit': String(state.limit.points),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(Math.ceil(state.resetMs / 1000)),
  };
}

export function rateLimitMessage(state: LimitState): string {
  const { points, windowSeconds } = state.limit;
  return `Too many requests for this ${state.scope}: the limit is ${points} per ${windowSeconds} s. Retry after ${secondsUntil(state.resetMs)} s.`;
}

function tooMany(reply: FastifyReply, state: LimitState): FastifyReply {
  reply.headers({ ...rateLimitHeaders(state), 'retry-after': String(secondsUntil(state.resetMs)) });
  return sendError(reply, new AppError('rate_limited', rateLimitMessage(state)));
}

/**
 * The /v1 limits, in the order that makes each cheap: the client address and its failed
 * authentications before the key is looked up, the key's own limit after. A 401 answered counts
 * as a failed authentication, whichever check refused the key.
 */
export function limitApi(v1: FastifyInstance, limiters: Limiters): void {
  const { ip, authFailures } = limiters;
  if (ip || authFailures) {
    v1.addHook('onRequest', async (request, reply) => {
      const [byIp, byFailures] = await Promise.all([ip?.consume(request.ip), authFailures?.peek(request.ip)]);
      const refused = [byIp, byFailures].find((state) => state && !state.allowed);
      if (refused) return tooMany(reply, refused);
    });
  }
  if (authFailures) {
    v1.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode === 401) await authFailures.consume(request.ip);
      return payload;
    });
  }
}

/** After authentication: the key's own limit, whose state every answer carries in RateLimit-*. */
export function limitApiKey(v1: FastifyInstance, limiters: Limiters): void {
  const { key } = limiters;
  if (!key) return;
  v1.addHook('onRequest', async (request, reply) => {
    if (!request.apiKey) return;
    const state = await key.consume(request.apiKey.id);
    if (!state.allowed) return tooMany(reply, state);
    reply.headers(rateLimitHeaders(state));
  });
}
