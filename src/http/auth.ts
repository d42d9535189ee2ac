import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.ts';
import { type ApiKey, authenticate } from '../services/access/api-keys.ts';
import type { Store } from '../store/database.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Checked for every /v1 route, before the body is read, so unauthenticated callers cost little. */
export function requireSecretKey(store: Store) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (!header) {
      throw new AppError('missing_api_key', 'Send your secret key as Authorization: Bearer <key>.');
    }
    const token = BEARER.exec(header)?.[1];
    const key = token ? await authenticate(store.db, token) : undefined;
    if (!key) throw new AppError('invalid_api_key', 'The API key is invalid or has been revoked.');
    request.apiKey = key;
  };
}

/** The audit log's actor for a request: the id of the key that authenticated it. */
export function actorOf(request: FastifyRequest): string {
  if (!request.apiKey) throw new Error('actorOf called on a route without requireSecretKey');
  return request.apiKey.id;
}
