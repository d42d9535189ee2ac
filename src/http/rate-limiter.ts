import type { FastifyBaseLogger } from 'fastify';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { limitedClient } from '../domain/identity.ts';
import type { RateLimit, RateLimitConfig } from '../lib/config.ts';
import type { Store } from '../store/database.ts';
import { ipHasher } from './edge/ip-hasher.ts';

/** Where a client stands against one limit after a request. */
export interface LimitState {
  readonly allowed: boolean;
  readonly limit: RateLimit;
  readonly remaining: number;
  /** Until the window ends and the count starts again. */
  readonly resetMs: number;
  /** Names the limit in a 429's message: "API key", "client address", ... */
  readonly scope: string;
}

export interface Limiter {
  /** Counts one request of the client; not allowed once past the limit. */
  consume(client: string): Promise<LimitState>;
  /** Counts nothing: the client's state, not allowed when it has used the whole limit. */
  peek(client: string): Promise<LimitState>;
}

export interface Limiters {
  key: Limiter | null;
  ip: Limiter | null;
  authFailures: Limiter | null;
  links: Limiter | null;
  signInEmail: Limiter | null;
  signInIp: Limiter | null;
}

// Created by migration 0016; the library is told so and never issues DDL.
const TABLE = 'rate_limits';

/** What a limit counts: API keys (their ids), client addresses, or email addresses asked for. */
type Counted = 'key' | 'address' | 'email';
const SCOPES: Record<keyof RateLimitConfig, { prefix: string; scope: string; counts: Counted }> = {
  key: { prefix: 'key', scope: 'API key', counts: 'key' },
  ip: { prefix: 'ip', scope: 'client address', counts: 'address' },
  authFailures: { prefix: 'auth', scope: 'failed authentications from this address', counts: 'address' },
  links: { prefix: 'link', scope: 'referral links from this address', counts: 'address' },
  signInEmail: { prefix: 'sie', scope: 'sign-in links to this email address', counts: 'email' },
  signInIp: { prefix: 'sii', scope: 'sign-in links asked from this address', counts: 'address' },
};

/**
 * A limiter's store failing (PostgreSQL down) lets requests through: a limit is a guard, not a
 * reason to answer every request with an error. The outage is logged once, and its end.
 */
class StoreOutage {
  private failing = false;
  constructor(private readonly log: FastifyBaseLogger) {}

  failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.log.warn({ err }, 'rate limiter store failed; requests are let through unlimited until it is back');
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.info('rate limiter store is back; limits apply again');
  }
}

function stateOf(res: RateLimiterRes, limit: RateLimit, scope: string, allowed: boolean): LimitState {
  return {
    allowed,
    limit,
    // A client refused from memory (inMemoryBlockOnConsumed) comes back with no points counted.
    remaining: allowed ? Math.max(limit.points - res.consumedPoints, 0) : 0,
    resetMs: Math.max(res.msBeforeNext, 0),
    scope,
  };
}

function limiterOf(
  library: RateLimiterAbstract,
  limit: RateLimit,
  scope: string,
  keyOf: (client: string) => string,
  outage: StoreOutage,
): Limiter {
  const open: LimitState = { allowed: true, limit, remaining: limit.points, resetMs: 0, scope };
  const storeError = (err: unknown): LimitState => {
    outage.failed(err);
    return open;
  };
  return {
    consume: (client) =>
      library.consume(keyOf(client)).then(
        (res) => {
          outage.succeeded();
          return stateOf(res, limit, scope, true);
        },
        // The library rejects with its result when the limit is passed, with an Error when its store failed.
        (rejection: unknown) =>
          rejection instanceof RateLimiterRes
            ? stateOf(rejection, limit, scope, false)
            : storeError(rejection),
      ),
    peek: (client) =>
      library.get(keyOf(client)).then((res) => {
        outage.succeeded();
        // In memory, a window that has just ended is still there until its timer removes it.
        if (!res || res.msBeforeNext <= 0) return open;
        return stateOf(res, limit, scope, res.consumedPoints < limit.points);
      }, storeError),
  };
}

/**
 * The limits of config, counted in memory on SQLite (one process) and in PostgreSQL's
 * rate_limits table when it is the store, so that processes behind one balancer share them.
 * Addresses are kept there as keyed hashes, as clicks keep them.
 */
export function createLimiters(
  config: RateLimitConfig,
  store: Store,
  secret: string,
  log: FastifyBaseLogger,
): Limiters {
  const outage = new StoreOutage(log);
  const hashIp = ipHasher(secret);
  const build = (name: keyof RateLimitConfig): Limiter | null => {
    const limit = config[name];
    if (!limit) return null;
    const { prefix, scope, counts } = SCOPES[name];
    const options = { keyPrefix: prefix, points: limit.points, duration: limit.windowSeconds };
    const library = store.pool
      ? new RateLimiterPostgres({
          ...options,
          storeClient: store.pool,
          storeType: 'pool',
          tableName: TABLE,
          tableCreated: true,
          // A client past its limit is refused from memory until the window ends: a flood costs no queries.
          inMemoryBlockOnConsumed: limit.points + 1,
        })
      : new RateLimiterMemory(options);
    // An address limit counts an IPv6 client by its /64 (see limitedClient). Addresses and emails
    // are personal: kept in PostgreSQL only as keyed hashes.
    const counted = (client: string) => (counts === 'address' ? limitedClient(client) : client);
    const keyOf = store.pool && counts !== 'key' ? (client: string) => hashIp(counted(client)) : counted;
    return limiterOf(library, limit, scope, keyOf, outage);
  };
  return {
    key: build('key'),
    ip: build('ip'),
    authFailures: build('authFailures'),
    links: build('links'),
    signInEmail: build('signInEmail'),
    signInIp: build('signInIp'),
  };
}
