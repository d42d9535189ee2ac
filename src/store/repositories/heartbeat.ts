import type { Executor } from '../executor.ts';
import { getSetting } from './settings.ts';

/** The settings row a running worker refreshes, read by serve's readiness check. */
const HEARTBEAT_KEY = 'worker_heartbeat';
// Four missed beats (one each 15 s): a worker busy on a slow batch or a brief outage is not stale.
export const HEARTBEAT_STALE_MS = 60_000;

export async function putHeartbeat(db: Executor, at: Date): Promise<void> {
  const value = at.toISOString();
  await db
    .insertInto('settings')
    .values({ key: HEARTBEAT_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

export async function deleteHeartbeat(db: Executor): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', HEARTBEAT_KEY).execute();
}

/** When a worker last beat; undefined when none runs (or none ever did). */
export const lastHeartbeat = (db: Executor): Promise<string | undefined> => getSetting(db, HEARTBEAT_KEY);
