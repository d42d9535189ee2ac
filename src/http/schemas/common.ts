import Type, { type Static, type TSchema } from 'typebox';
import type { PageRequest } from '../../store/executor.ts';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      type: Type.String({ description: 'Broad class: invalid_request, authentication_error, conflict, ...' }),
      code: Type.String({ description: 'Machine-readable code from the closed list in the README.' }),
      message: Type.String(),
      param: Type.Optional(Type.String({ description: 'The offending field, as a dotted path.' })),
      request_id: Type.Optional(Type.String()),
    }),
  },
  { $id: 'Error', title: 'Error' },
);

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: a field is missing, of the wrong type or out of range.',
  401: 'Missing, invalid or revoked API key.',
  403: "The key may not call this route: insufficient_scope when it lacks the route's scope (x-required-scope), publishable_key_not_allowed when it is a publishable key and the route is not for browsers.",
  404: 'An id names nothing.',
  409: 'Conflicts with stored state (code taken, Idempotency-Key reused with another body).',
  413: 'Body larger than the limit.',
  415: 'The body is not JSON: send it with Content-Type: application/json.',
  422: 'Well-formed but not applicable.',
  429: 'Too many requests for a rate limit (per API key, per client address, or failed authentications per address); retry after Retry-After seconds. RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset describe the limit.',
  500: 'Something failed on our side; the body carries a request id to quote.',
  503: 'service_unavailable: the database connection was lost mid-request (PostgreSQL); shutting_down: the server is draining before it stops. Retry after Retry-After seconds, with the same Idempotency-Key.',
};

/** The documented error responses of a route, all with the one error shape. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of statuses) {
    out[status] = Type.Ref('Error', { description: STATUS_DESCRIPTIONS[status] ?? 'Error' });
  }
  return out;
}

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const DEFAULT_PAGE_SIZE = 20;

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE })),
  starting_after: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'An id from the last page.' }),
  ),
};

/** The page a list route's query string asks for. */
export function pageRequest(query: { limit?: number; starting_after?: string }): PageRequest {
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, startingAfter: query.starting_after };
}

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({
    object: Type.Literal('list'),
    data: Type.Array(item),
    has_more: Type.Boolean(),
  });
}

import { Email, ExternalId, MoneySchema, Nullable, Timestamp } from '../../domain/inputs/common.ts';

export { Email, ExternalId, MoneySchema, Nullable, Timestamp };

export type Money = Static<typeof MoneySchema>;
