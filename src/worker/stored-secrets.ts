import { sql } from 'kysely';
import { sealedBy } from '../lib/sealing.ts';
import { INSTANCE_SECRET, resealInstanceSecret } from '../services/access/instance-secret.ts';
import { resealedSecrets } from '../services/webhooks/endpoint-secrets.ts';
import type { Store } from '../store/database.ts';
import { getSetting } from '../store/repositories/settings.ts';
import {
  listStoredSecrets,
  replaceStoredSecrets,
  type StoredSecrets,
} from '../store/repositories/webhook-endpoints.ts';

// Each batch its own transaction, so a large table never holds a long write lock.
const BATCH = 500;

/**
 * Seals every stored secret that is in the clear (kept before sealing existed) or sealed under an
 * older key, under the key that seals now. Each value is replaced only if it did not change since
 * it was read, so a process rotating a secret meanwhile keeps its write. Run at every start, after
 * the migrations; several processes may run it at once. Returns how many values it resealed.
 */
export async function resealStoredSecrets(store: Store): Promise<number> {
  const { keyring } = store;
  let total = (await store.transaction((trx) => resealInstanceSecret(trx, keyring))) ? 1 : 0;
  await everyBatch(async (after) => {
    const batch = await store.transaction(async (trx) => {
      const rows = await listStoredSecrets(trx, after, BATCH);
      let resealed = 0;
      for (const row of rows) {
        const next = resealedSecrets(keyring, row);
        if (next && (await replaceStoredSecrets(trx, row, next))) resealed++;
      }
      return { rows, resealed };
    });
    total += batch.resealed;
    return batch.rows;
  });
  // The values replaced still sit in the write-ahead log until a checkpoint copies their pages
  // back; with readers elsewhere the log may stay, to be overwritten by later writes.
  if (total > 0 && store.dialect === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
  return total;
}

/** How many stored secrets each key seals (`null`: stored in the clear), for rotation's report. */
export async function countSecretsByKey(store: Store): Promise<Map<string | null, number>> {
  const counts = new Map<string | null, number>();
  const count = (stored: string | null | undefined) => {
    if (stored === null || stored === undefined) return;
    const key = sealedBy(stored);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  count(await getSetting(store.db, INSTANCE_SECRET));
  await everyBatch(async (after) => {
    const rows = await listStoredSecrets(store.db, after, BATCH);
    for (const row of rows) [row.secret, row.previous_secret].forEach(count);
    return rows;
  });
  return counts;
}

/** Walks the endpoints in id order, a batch at a time: `batch` handles those after `after`. */
async function everyBatch(batch: (after: string) => Promise<StoredSecrets[]>): Promise<void> {
  for (let after = ''; ; ) {
    const rows = await batch(after);
    const last = rows.at(-1);
    if (rows.length < BATCH || !last) return;
    after = last.id;
  }
}
