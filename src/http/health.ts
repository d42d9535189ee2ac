import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Store } from '../store/database.ts';
import { pendingMigrations } from '../store/migrate.ts';
import { HEARTBEAT_STALE_MS, lastHeartbeat } from '../store/repositories/heartbeat.ts';

// A probe that waits longer than this is as good as failed: the load balancer has its own timeout.
const DATABASE_TIMEOUT_MS = 2_000;

export type CheckState = 'ok' | 'failing' | 'pending' | 'stale' | 'absent';
export interface Check {
  name: 'database' | 'migrations' | 'worker';
  state: CheckState;
  detail?: string;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function databaseCheck(store: Store): Promise<Check> {
  try {
    await withTimeout(sql`select 1`.execute(store.db), DATABASE_TIMEOUT_MS);
    return { name: 'database', state: 'ok' };
  } catch (err) {
    return { name: 'database', state: 'failing', detail: (err as Error).message };
  }
}

async function migrationsCheck(store: Store): Promise<Check> {
  try {
    const pending = await withTimeout(pendingMigrations(store.db), DATABASE_TIMEOUT_MS);
    if (pending.length === 0) return { name: 'migrations', state: 'ok' };
    return { name: 'migrations', state: 'pending', detail: `not run: ${pending.join(', ')}` };
  } catch (err) {
    return { name: 'migrations', state: 'failing', detail: (err as Error).message };
  }
}

/**
 * No heartbeat at all is `absent` and does not fail readiness: an instance run without webhooks
 * needs no worker, and a worker stopped on purpose removes its row. A heartbeat older than
 * HEARTBEAT_STALE_MS means a worker died without saying so: webhooks are piling up.
 */
async function workerCheck(store: Store, now: Date): Promise<Check> {
  try {
    const beat = await withTimeout(lastHeartbeat(store.db), DATABASE_TIMEOUT_MS);
    if (beat === undefined) return { name: 'worker', state: 'absent' };
    const age = now.getTime() - Date.parse(beat);
    if (age > HEARTBEAT_STALE_MS) return { name: 'worker', state: 'stale', detail: `last heartbeat ${beat}` };
    return { name: 'worker', state: 'ok', detail: `last heartbeat ${beat}` };
  } catch (err) {
    return { name: 'worker', state: 'failing', detail: (err as Error).message };
  }
}

const PASSING: ReadonlySet<CheckState> = new Set(['ok', 'absent']);

export async function readiness(store: Store, now: Date): Promise<{ ready: boolean; checks: Check[] }> {
  const checks = await Promise.all([databaseCheck(store), migrationsCheck(store), workerCheck(store, now)]);
  return { ready: checks.every((c) => PASSING.has(c.state)), checks };
}

/**
 * Probes for load balancers and orchestrators, outside the API document like /openapi.json:
 * live says the process answers, ready that it can serve (database, schema, background worker).
 */
export async function healthRoutes(app: FastifyInstance, opts: { store: Store; now: () => Date }) {
  const live = async () => ({ status: 'ok' });
  app.get('/health', { schema: { hide: true } }, live);
  app.get('/health/live', { schema: { hide: true } }, live);
  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const { ready, checks } = await readiness(opts.store, opts.now());
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
