import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { AppError } from '../lib/errors.ts';
import type { Executor } from '../store/executor.ts';
import { findIdempotencyRecord, insertIdempotencyRecord } from '../store/repositories/idempotency.ts';
import type { Database } from '../store/schema.ts';
import type { RouteDeps } from './deps.ts';

export interface WriteResult {
  status: number;
  body: unknown;
}

export type Write = (trx: Transaction<Database>) => Promise<WriteResult>;

type JsonObject = Record<string, unknown>;

/**
 * What a stored response must not keep, such as a signing secret or an email: `blank` takes it out
 * of the body before the body is stored, and `refill` reads it again from the live rows when the
 * response is replayed. A rotated secret or an erased email then lives nowhere else.
 */
export interface Withheld {
  blank(body: JsonObject): JsonObject;
  refill(db: Executor, stored: JsonObject): Promise<JsonObject>;
}

class ConcurrentRequest extends Error {}

/**
 * The route's serialisation of a write's result, made inside its transaction: a body the response
 * schema cannot serialise throws there and rolls the write back, instead of answering 500 after a
 * commit. Writes answer 2xx; anything else is a bug and is not committed (nor stored for replay).
 */
function serialise(reply: FastifyReply, result: WriteResult): string {
  if (result.status < 200 || result.status > 299) {
    throw new Error(`a write answered ${result.status}; writes answer 2xx or throw`);
  }
  return reply.code(result.status).serialize(result.body) as string;
}

function sendJson(reply: FastifyReply, status: number, text: string) {
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}

/** Runs a write in one transaction and answers with its result, serialised before the commit. */
export async function transactionalWrite(store: RouteDeps['store'], reply: FastifyReply, write: Write) {
  const { status, text } = await store.transaction(async (trx) => {
    const result = await write(trx);
    return { status: result.status, text: serialise(reply, result) };
  });
  return sendJson(reply, status, text);
}

/** JSON with object keys sorted, so a retry that orders its fields differently is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

async function replay(
  { store }: Pick<RouteDeps, 'store'>,
  reply: FastifyReply,
  stored: { status_code: number; response_body: string; request_hash: string },
  sent: string,
  withheld: Withheld | undefined,
) {
  if (sent !== stored.request_hash) {
    throw new AppError(
      'idempotency_key_reused',
      'This Idempotency-Key was used with a different request; use a new key for a new request.',
      'Idempotency-Key',
    );
  }
  const body = JSON.parse(stored.response_body) as JsonObject;
  return reply
    .code(stored.status_code)
    .header('idempotent-replayed', 'true')
    .send(withheld ? await withheld.refill(store.db, body) : body);
}

/** When a stored response stops being replayed: older keys count as new. */
function expiryCutoff({ now, config }: Pick<RouteDeps, 'now' | 'config'>): string {
  return new Date(now().getTime() - config.idempotencyKeyTtlHours * 3_600_000).toISOString();
}

/**
 * Runs a write in one transaction. With an Idempotency-Key header the response is stored in that
 * same transaction, so a retry gets the stored response and a key reused with another body is
 * refused; the write and its record commit together or not at all.
 */
export async function idempotentWrite(
  deps: Pick<RouteDeps, 'store' | 'now' | 'config'>,
  request: FastifyRequest,
  reply: FastifyReply,
  write: Write,
  withheld?: Withheld,
) {
  const { store, now } = deps;
  const header = request.headers['idempotency-key'];
  if (header === undefined) return transactionalWrite(store, reply, write);
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || key.length > 255) {
    throw new AppError('invalid_value', 'Idempotency-Key must be 1 to 255 characters.', 'Idempotency-Key');
  }
  if (key.includes('\u0000')) {
    throw new AppError('invalid_character', 'Idempotency-Key contains a NUL character.', 'Idempotency-Key');
  }
  const apiKeyId = request.apiKey?.id ?? 'anonymous';
  const hash = requestHash(request);
  const since = expiryCutoff(deps);
  const stored = await findIdempotencyRecord(store.db, apiKeyId, key, since);
  if (stored) return replay(deps, reply, stored, hash, withheld);

  try {
    const { status, text } = await store.transaction(async (trx) => {
      const result = await write(trx);
      const text = serialise(reply, result);
      const recorded = await insertIdempotencyRecord(
        trx,
        {
          api_key_id: apiKeyId,
          key,
          request_hash: hash,
          status_code: result.status,
          // What the client is answered, so a replay answers the same, less what is withheld.
          response_body: withheld ? JSON.stringify(withheld.blank(JSON.parse(text) as JsonObject)) : text,
          created_at: now().toISOString(),
        },
        since,
      );
      if (!recorded) throw new ConcurrentRequest();
      return { status: result.status, text };
    });
    return sendJson(reply, status, text);
  } catch (error) {
    if (!(error instanceof ConcurrentRequest)) throw error;
    // A concurrent request with the same key committed first: this one rolled back; answer as it did.
    const winner = await findIdempotencyRecord(store.db, apiKeyId, key, since);
    if (!winner) throw new Error('idempotency record vanished after a conflict');
    return replay(deps, reply, winner, hash, withheld);
  }
}
