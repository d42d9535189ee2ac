import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createApiKey } from '../../src/services/access/api-keys.ts';
import { verifyLedger } from '../../src/services/ledger/verify-ledger.ts';
import { type Server, startServer } from './cli.ts';
import { createTestStore, type TestStore } from './store.ts';

// Requests that two `vouch serve` processes on one database answer at the same time.
// On SQLite the processes take turns at the write lock; on PostgreSQL the transactions interleave.

export type Reply = { status: number; body: any };
export type Api = (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => Promise<Reply>;
/** One request, to be sent to whichever server the race picks. */
export type Request = (api: Api) => Promise<Reply>;

/** A lost race shows only now and then, so races of two requests are run this many times. */
export const ROUNDS = 5;

export interface TwoServers {
  /** The database both servers use. */
  readonly store: TestStore;
  /** The first server, for a test's setup and checks. */
  api: Api;
  /** Sends every request at once, spread over the processes in turn from the `first`. */
  race(requests: Request[], first?: number): Promise<Reply[]>;
}

/** A JSON client for a server over its real socket that keeps every reply in `replies`. */
function client(server: Server, key: string, replies: Reply[]): Api {
  const authorization = `Bearer ${key}`;
  return async (method, path, body) => {
    const json = body !== undefined;
    const res = await fetch(new URL(path, server.url), {
      method,
      headers: json ? { authorization, 'content-type': 'application/json' } : { authorization },
      body: json ? JSON.stringify(body) : undefined,
    });
    const reply = { status: res.status, body: await res.json() };
    replies.push(reply);
    return reply;
  };
}

/**
 * Two `vouch serve` processes on one fresh test store, sharing an API key named `keyName`.
 * Registers hooks on the enclosing suite (the file, or the `describe` it is called in): they start
 * before its tests and stop after them, and after each test check that, whatever the interleaving,
 * no request of the test (setup included) got a 5xx, the ledger's invariants hold and neither
 * process logged an error.
 */
export function twoServers(keyName: string): TwoServers {
  let store: TestStore | undefined;
  let servers: Server[] = [];
  let apis: Api[] = [];
  /** Every reply of the current test. */
  const replies: Reply[] = [];
  /** How much each server had logged when the current test began. */
  let logged: number[] = [];

  beforeAll(async () => {
    store = await createTestStore();
    const { plaintext: key } = await store.transaction((trx) => createApiKey(trx, keyName, new Date()));
    servers = await Promise.all([
      startServer({ DATABASE_URL: store.url }),
      startServer({ DATABASE_URL: store.url }),
    ]);
    apis = servers.map((server) => client(server, key, replies));
  });
  beforeEach(() => {
    replies.length = 0;
    logged = servers.map((server) => server.stdout().length);
  });
  afterEach(async () => {
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    expect((await verifyLedger(started().db)).problems).toEqual([]);
    for (const [i, server] of servers.entries()) {
      expect(server.stdout().slice(logged[i])).not.toMatch(/"level":50/);
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    await store?.drop();
  });

  function started(): TestStore {
    if (!store) throw new Error('twoServers: the servers start in beforeAll; use them inside a test');
    return store;
  }

  return {
    get store() {
      return started();
    },
    api: (...args) => (apis[0] as Api)(...args),
    race: (requests, first = 0) =>
      Promise.all(requests.map((send, i) => send(apis[(first + i) % apis.length] as Api))),
  };
}

export const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

export const usd = (amount: number) => ({ amount, currency: 'USD' });

/** A request that POSTs `body` to `path`. */
export const post =
  (path: string, body?: unknown): Request =>
  (api) =>
    api('POST', path, body);

/** The body of a reply that must be 201 Created. */
export async function created(reply: Promise<Reply>) {
  const { status, body } = await reply;
  expect(status, JSON.stringify(body)).toBe(201);
  return body;
}
