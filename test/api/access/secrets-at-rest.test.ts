import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/lib/config.ts';
import { createKeyring, newEncryptionKey, SealingError } from '../../../src/lib/sealing.ts';
import { ensureInstanceSecret, INSTANCE_SECRET } from '../../../src/services/access/instance-secret.ts';
import { openEndpointSecret, signingSecrets } from '../../../src/services/webhooks/endpoint-secrets.ts';
import { openStore, type Store } from '../../../src/store/database.ts';
import { getSetting } from '../../../src/store/repositories/settings.ts';
import { countSecretsByKey, resealStoredSecrets } from '../../../src/worker/stored-secrets.ts';
import { startWebhookWorker } from '../../../src/worker/webhook-worker.ts';
import { dialect, TEST_ENCRYPTION_KEY } from '../../support/store.ts';
import { TABLES } from '../../support/tables.ts';
import { DEV_ENV, silent, until, webhookHarness } from '../../support/webhook-harness.ts';

// The secrets Vouch must keep readable are stored sealed under a key the database does not hold:
// a copy of the database alone signs no webhook and recomputes no email or IP hash.

const h = webhookHarness();
const TEST_KEY = Buffer.from(TEST_ENCRYPTION_KEY, 'base64url');

/** Every row of every table as text, and on SQLite the database's files byte for byte. */
async function everythingStored(): Promise<string> {
  const rows = await Promise.all(
    TABLES.map(async (table) => JSON.stringify(await h.t.store.db.selectFrom(table).selectAll().execute())),
  );
  if (dialect !== 'sqlite') return rows.join('\n');
  const file = h.t.store.url.replace(/^sqlite:/, '');
  const files = ['', '-wal'].map((suffix) => readFileSync(file + suffix).toString('latin1'));
  return [...rows, ...files].join('\n');
}

/** The base64 part of a `whsec_` secret: what would show in a dump if it were stored. */
const secretBytes = (secret: string) => secret.replace(/^whsec_/, '');

async function withStore<T>(keys: Buffer[], run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(h.t.store.url, { encryptionKeys: keys });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

const endpointRow = (id: string) =>
  h.t.store.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('secrets at rest', () => {
  it('stores no signing secret in the clear: not in a row, not in a stored response, not in the files', async () => {
    const headers = { 'idempotency-key': 'create-endpoint-1' };
    const created = await h.t.api(
      'POST',
      '/v1/webhook_endpoints',
      { url: 'https://hooks.example.com/vouch', events: ['*'] },
      headers,
    );
    const rotated = await h.t.api(
      'POST',
      `/v1/webhook_endpoints/${created.body.id}/rotate_secret`,
      {},
      {
        'idempotency-key': 'rotate-1',
      },
    );
    expect([created.status, rotated.status]).toEqual([201, 200]);

    const stored = await everythingStored();
    for (const secret of [created.body.secret, rotated.body.secret]) {
      expect(stored).not.toContain(secretBytes(secret));
    }
    const row = await endpointRow(created.body.id);
    expect(row.secret).toMatch(new RegExp(`^v1\\.${h.t.store.keyring.primaryId}\\.`));
    expect(signingSecrets(h.t.store.keyring, row, new Date())).toEqual([
      rotated.body.secret,
      created.body.secret,
    ]);
    // A retry with the Idempotency-Key still answers the secret, opened from the sealed row.
    const replay = await h.t.api(
      'POST',
      '/v1/webhook_endpoints',
      { url: 'https://hooks.example.com/vouch', events: ['*'] },
      headers,
    );
    expect(replay.body.secret).toBe(rotated.body.secret);
  });

  it('seals the generated instance secret, and every process gets the same one back', async () => {
    const first = await h.t.store.transaction((trx) =>
      ensureInstanceSecret(trx, h.t.store.keyring, undefined),
    );
    const again = await withStore([TEST_KEY], (other) =>
      other.transaction((trx) => ensureInstanceSecret(trx, other.keyring, undefined)),
    );
    expect(again).toBe(first);
    const stored = (await getSetting(h.t.store.db, INSTANCE_SECRET)) ?? '';
    expect(stored.startsWith('v1.')).toBe(true);
    expect(await everythingStored()).not.toContain(first);
  });

  it('seals at start what an earlier version stored in the clear, and its webhooks still verify', async () => {
    const receiver = await h.receiver();
    const endpoint = await h.endpoint(receiver.url);
    const plainInstance = 'an-instance-secret-stored-in-the-clear-by-0.1';
    await h.t.store.db.updateTable('webhook_endpoints').set({ secret: endpoint.secret }).execute();
    await h.t.store.db
      .insertInto('settings')
      .values({ key: INSTANCE_SECRET, value: plainInstance })
      .execute();

    expect(await resealStoredSecrets(h.t.store)).toBe(2);
    expect(await resealStoredSecrets(h.t.store)).toBe(0);

    expect(await everythingStored()).not.toContain(secretBytes(endpoint.secret));
    const instance = await h.t.store.transaction((trx) =>
      ensureInstanceSecret(trx, h.t.store.keyring, undefined),
    );
    expect(instance).toBe(plainInstance);
    h.worker();
    await h.emit();
    const [received] = await until(() => (receiver.received.length ? receiver.received : undefined));
    expect(() =>
      new Webhook(endpoint.secret).verify(
        received?.body ?? '',
        (received?.headers ?? {}) as Record<string, string>,
      ),
    ).not.toThrow();
  });

  it('reseals under a new first key, after which the old key can go', async () => {
    const endpoint = await h.endpoint('https://hooks.example.com/vouch');
    const rotated = await h.t.api('POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, {});
    const newKey = Buffer.from(newEncryptionKey(), 'base64url');
    const newer = createKeyring([newKey]);

    const resealed = await withStore([newKey, TEST_KEY], resealStoredSecrets);
    // The current and the overlapping previous secret (no instance secret was generated here).
    expect(resealed).toBe(1);
    expect(await withStore([newKey], countSecretsByKey)).toEqual(new Map([[newer.primaryId, 2]]));

    const row = await endpointRow(endpoint.id);
    expect(signingSecrets(newer, row, new Date())).toEqual([rotated.body.secret, endpoint.secret]);
    expect(() => signingSecrets(h.t.store.keyring, row, new Date())).toThrow(SealingError);
  });

  it('does not sign with a secret it cannot open: it says so, and the delivery waits', async () => {
    const receiver = await h.receiver();
    const endpoint = await h.endpoint(receiver.url);
    const errors: string[] = [];
    const log = {
      ...(silent as object),
      error: (_: unknown, message: string) => errors.push(message),
    } as never;
    const otherKey = Buffer.from(newEncryptionKey(), 'base64url');
    const stranger = await openStore(h.t.store.url, { encryptionKeys: [otherKey] });
    const stop = startWebhookWorker(stranger, loadConfig(DEV_ENV).webhooks, log, () => new Date());
    try {
      await h.emit();
      const message = await until(() => errors[0]);
      expect(message).toMatch(/^cannot open the endpoint's signing secret: a secret is sealed under key /);
      expect(receiver.received).toEqual([]);
    } finally {
      await stop();
      await stranger.close();
    }
    expect((await h.deliveries(endpoint.id)).map((d) => d.status)).toEqual(['pending']);
  });

  it('does not open a secret copied into another endpoint', async () => {
    const [a, b] = [await h.endpoint('https://a.example.com/'), await h.endpoint('https://b.example.com/')];
    const sealedA = (await endpointRow(a.id)).secret;
    await h.t.store.db
      .updateTable('webhook_endpoints')
      .set({ secret: sealedA })
      .where('id', '=', b.id)
      .execute();
    expect(() => openEndpointSecret(h.t.store.keyring, b.id, sealedA)).toThrow(/altered or moved/);
  });
});
