import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEncryptionKey, keyIdOf, newEncryptionKey } from '../../src/lib/sealing.ts';
import { signingSecrets } from '../../src/services/webhooks/endpoint-secrets.ts';
import { openStore } from '../../src/store/database.ts';
import type { WebhookEndpointRow } from '../../src/store/repositories/webhook-endpoints.ts';
import { runCli, startServer } from '../support/cli.ts';
import { dialect } from '../support/store.ts';

// The keys that seal stored secrets, from a process's side: where they come from, what happens
// without them, and rotating them with the CLI.

const KEY = `sk_${'s'.repeat(32)}`;
// Neither an environment key (childEnv gives the test key otherwise): the key file is used.
const KEY_FILE_ONLY = { VOUCH_ENCRYPTION_KEYS: '' };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDatabase(): { file: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-secrets-'));
  dirs.push(dir);
  const file = join(dir, 'vouch.db');
  return { file, env: { DATABASE_URL: `sqlite:${file}`, ...KEY_FILE_ONLY } };
}

const keysIn = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));

const stored = (file: string, sql: string) => {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, string | null>[];
  } finally {
    db.close();
  }
};

/** Starts serve once on the database and creates a webhook endpoint; its id and secret. */
async function serveAndCreateEndpoint(env: Record<string, string>): Promise<{ id: string; secret: string }> {
  const server = await startServer({ ...env, VOUCH_BOOTSTRAP_KEY: KEY });
  try {
    const res = await fetch(`${server.url}/v1/webhook_endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://hooks.example.com/vouch', events: ['*'] }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; secret: string };
  } finally {
    await server.stop();
  }
}

/** The endpoint's signing secrets as a process with only the key file's keys opens them. */
async function openedWithKeyFile(file: string, id: string): Promise<string[]> {
  const store = await openStore(`sqlite:${file}`);
  try {
    const row = (await store.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()) as WebhookEndpointRow;
    return signingSecrets(store.keyring, { ...row, previous_secret: null }, new Date());
  } finally {
    await store.close();
  }
}

describe('encryption keys from the environment', () => {
  it('refuses to start on PostgreSQL without them, in one line that says how to make one', async () => {
    const result = await runCli(['migrate'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      ...KEY_FILE_ONLY,
    });
    expect(result.code).toBe(78);
    expect(result.stderr.trim().split('\n')).toEqual([
      'vouch: invalid configuration: VOUCH_ENCRYPTION_KEYS: must be set on PostgreSQL, where no key file can be kept beside the data (make one with `vouch secrets new-key`)',
    ]);
  });

  it('refuses a malformed key without printing it', async () => {
    const bad = 'my-password-is-not-a-key';
    const result = await runCli(['migrate'], { ...freshDatabase().env, VOUCH_ENCRYPTION_KEYS: bad });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('VOUCH_ENCRYPTION_KEYS: entry 1 of 1 is not a key');
    expect(result.stderr).not.toContain(bad);
  });

  it('prints a new key with `vouch secrets new-key`, a different one each time', async () => {
    const [a, b] = await Promise.all([
      runCli(['secrets', 'new-key'], {}),
      runCli(['secrets', 'new-key'], {}),
    ]);
    expect(decodeEncryptionKey(a.stdout.trim())).not.toBeNull();
    expect(a.stdout).not.toBe(b.stdout);
  });
});

describe.runIf(dialect === 'sqlite')('the key file beside a SQLite database', () => {
  it('is made once, readable by its owner only, even by processes starting together', async () => {
    const { file, env } = freshDatabase();
    const results = await Promise.all([1, 2, 3].map(() => runCli(['migrate'], env)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(keysIn(`${file}.key`)).toHaveLength(1);
    expect(statSync(`${file}.key`).mode & 0o777).toBe(0o600);
  });

  it('seals what serve stores under it, and a backup says the key file is not in it', async () => {
    const { file, env } = freshDatabase();
    const endpoint = await serveAndCreateEndpoint(env);
    const [key] = keysIn(`${file}.key`);
    const id = keyIdOf(decodeEncryptionKey(key ?? '') as Buffer);
    const [instance] = stored(file, "select value from settings where key = 'instance_secret'");
    const [row] = stored(file, 'select secret from webhook_endpoints');
    expect(instance?.value).toMatch(new RegExp(`^v1\\.${id}\\.`));
    expect(row?.secret).toMatch(new RegExp(`^v1\\.${id}\\.`));
    expect(await openedWithKeyFile(file, endpoint.id)).toEqual([endpoint.secret]);

    const backup = await runCli(['backup', join(file, '..', 'copy.db')], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`sealed under the key file ${file}.key, which the backup leaves out`);
  });

  it('rotates: a new key first, every secret resealed under it; prune then drops the old key', async () => {
    const { file, env } = freshDatabase();
    const endpoint = await serveAndCreateEndpoint(env);
    const [oldKey] = keysIn(`${file}.key`);

    const rotated = await runCli(['secrets', 'rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const [newKey, kept] = keysIn(`${file}.key`);
    expect(kept).toBe(oldKey);
    const newId = keyIdOf(decodeEncryptionKey(newKey ?? '') as Buffer);
    expect(rotated.stdout).toContain(`Resealed: 2 stored secrets: 2 under key ${newId}.`);

    const pruned = await runCli(['secrets', 'prune'], env);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('Removed 1 older key from');
    expect(keysIn(`${file}.key`)).toEqual([newKey]);
    expect(await openedWithKeyFile(file, endpoint.id)).toEqual([endpoint.secret]);
  });

  it('refuses to start when no key it has opens the stored secrets, naming the key it needs', async () => {
    const { file, env } = freshDatabase();
    await serveAndCreateEndpoint(env);
    const [lost] = keysIn(`${file}.key`);
    writeFileSync(`${file}.key`, `${newEncryptionKey()}\n`);

    const result = await runCli(['keys', 'list'], env);
    expect(result.code).toBe(78);
    const lostId = keyIdOf(decodeEncryptionKey(lost ?? '') as Buffer);
    expect(result.stderr).toContain(
      `vouch: stored secrets: a secret is sealed under key ${lostId}, which the configured keys do not include`,
    );
  });

  it('refuses a key file that holds no key, in one line', async () => {
    const { file, env } = freshDatabase();
    writeFileSync(`${file}.key`, '# emptied by mistake\n');
    const result = await runCli(['migrate'], env);
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe(
      `vouch: stored secrets: ${file}.key must hold one or more keys (32 bytes in base64url), one per line (see "Secrets at rest" in the README)`,
    );
  });

  it('leaves rotation to the operator when the keys come from VOUCH_ENCRYPTION_KEYS, and prune names the unused', async () => {
    const { env } = freshDatabase();
    const [older, newer] = [newEncryptionKey(), newEncryptionKey()];
    await serveAndCreateEndpoint({ ...env, VOUCH_ENCRYPTION_KEYS: older });

    const rotate = await runCli(['secrets', 'rotate'], { ...env, VOUCH_ENCRYPTION_KEYS: older });
    expect(rotate.code).toBe(2);
    expect(rotate.stderr).toContain('Put a new key (vouch secrets new-key) first in it');

    const pruned = await runCli(['secrets', 'prune'], { ...env, VOUCH_ENCRYPTION_KEYS: `${newer},${older}` });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('Key 2 of VOUCH_ENCRYPTION_KEYS seals nothing now: remove it.');
  });
});
