import { resealedSecrets } from '../services/endpoint-secrets.ts';
import { resealInstanceSecret } from '../services/instance-secret.ts';
import type { Store } from '../store/database.ts';
import { listStoredSecrets, replaceStoredSecrets } from '../store/repositories/webhook-endpoints.ts';

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
  for (let after = ''; ; ) {
    const batch = await store.transaction(async (trx) => {
      const rows = await listStoredSecrets(trx, after, BATCH);
      let resealed = 0;
      for (const row of rows) {
        const next = resealedSecrets(keyring, row);
        if (next && (await replaceStoredSecrets(trx, row, next))) resealed++;
      }
      return { resealed, last: rows.length === BATCH ? rows[BATCH - 1]?.id : undefined };
    });
    total += batch.resealed;
    if (batch.last === undefined) return total;
    after = batch.last;
  }
}
