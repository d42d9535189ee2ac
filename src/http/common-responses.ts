import type { RouteOptions } from 'fastify';
import { errorResponses } from './schemas/common.ts';

// Fastify reads a body on these methods whatever the route's schema says, so each can refuse one
// as malformed (400 invalid_json), too large (413) or not JSON (415).
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Adds to a route's documented responses the errors that every route of its kind answers, so
 * that none is documented by hand and a new route cannot leave one out: 500 and 503 on any route; 400
 * where a path parameter, query string or body is read; 413 and 415 where a body is.
 */
export function documentCommonResponses(route: RouteOptions): void {
  const schema = route.schema as {
    response?: Record<string, unknown>;
    params?: unknown;
    querystring?: unknown;
  };
  if (!schema?.response) return;
  const readsBody = [route.method].flat().some((method) => BODY_METHODS.has(method));
  const statuses = [500, 503];
  if (readsBody || schema.params || schema.querystring) statuses.push(400);
  if (readsBody) statuses.push(413, 415);
  addResponses(schema, errorResponses(...statuses));
}

/** Adds 429 to the documented responses of a route under the API's rate limits (the /v1 scope). */
export function documentRateLimited(route: RouteOptions): void {
  const schema = route.schema as { response?: Record<string, unknown> };
  if (!schema?.response) return;
  addResponses(schema, errorResponses(429));
}

/** Adds documented responses to a route's schema, keeping those it declares itself. */
export function addResponses(
  schema: { response?: Record<string, unknown> },
  added: Record<number, unknown>,
): void {
  const response = { ...added, ...schema.response };
  // In order of status, as a reader looks them up.
  schema.response = Object.fromEntries(Object.entries(response).sort(([a], [b]) => a.localeCompare(b)));
}
