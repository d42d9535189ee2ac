import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer } from '../support/cli.ts';
import { event } from '../support/factories.ts';
import { createTestStore, dialect, type TestStore } from '../support/store.ts';

const KEY = `sk_${'b'.repeat(32)}`;
const countEvents = (file: string, ids: string[]): number => {
  const db = new SQLite(file, { readonly: true });
  try {
    const stored = new Set((db.prepare('select id from events').all() as { id: string }[]).map((r) => r.id));
    return ids.filter((id) => stored.has(id)).length;
  } finally {
    db.close();
  }
};

describe.runIf(dialect === 'sqlite')('vouch backup and restore on SQLite', () => {
  let store: TestStore;
  const dir = mkdtempSync(join(tmpdir(), 'vouch-backup-'));
  const env = () => ({ DATABASE_URL: store.url });
  const dbFile = () => store.url.replace(/^sqlite:(\/\/)?/, '');

  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
  });
  afterAll(() => store.drop());

  it('copies, while serve ingests under load, every event acknowledged before it began; the copy verifies', async () => {
    const server = await startServer({ ...env(), VOUCH_BOOTSTRAP_KEY: KEY });
    try {
      const post = async (): Promise<string | null> => {
        const res = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(event('signup', `cus-${Math.random()}`)),
        });
        const body = (await res.json()) as { id?: string };
        return res.status === 200 || res.status === 201 ? (body.id ?? null) : null;
      };
      const acknowledged: string[] = [];
      let running = true;
      // Eight clients keep writing before, during and after the backup.
      const clients = Array.from({ length: 8 }, async () => {
        while (running) {
          const id = await post();
          if (id) acknowledged.push(id);
        }
      });
      while (acknowledged.length < 300) await post().then((id) => id && acknowledged.push(id));
      const before = [...acknowledged];
      const file = join(dir, 'live.db');
      const result = await runCli(['backup', file], env());
      running = false;
      await Promise.all(clients);

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/integrity ok/);
      expect(result.stdout).toContain('sealed under VOUCH_ENCRYPTION_KEYS, which the backup leaves out');
      expect(countEvents(file, before)).toBe(before.length);
      expect(existsSync(`${file}.partial`)).toBe(false);
      const verified = await runCli(['ledger', 'verify'], { DATABASE_URL: `sqlite:${file}` });
      expect(verified.code, verified.stdout).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('never replaces an existing file unless --force', async () => {
    const file = join(dir, 'exists.db');
    writeFileSync(file, 'keep me');
    const refused = await runCli(['backup', file], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${file} already exists (use --force to replace it)`);
    const forced = await runCli(['backup', file, '--force'], env());
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('answers bad paths and bad files with a clear error', async () => {
    const noDir = await runCli(['backup', join(dir, 'missing', 'x.db')], env());
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(/the directory of .*missing\/x\.db does not exist/);
    const notThere = await runCli(['restore', join(dir, 'nope.db')], env());
    expect(notThere.code).toBe(1);
    expect(notThere.stderr).toMatch(/nope\.db does not exist/);
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'not a database at all, just text that is long enough to be a header');
    const bad = await runCli(['restore', garbage], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/garbage\.db is not a readable SQLite database/);
  });

  it('refuses a backup made by a newer version', async () => {
    const file = join(dir, 'newer.db');
    expect((await runCli(['backup', file], env())).code).toBe(0);
    const db = new SQLite(file);
    db.prepare("insert into kysely_migration (name, timestamp) values ('9999-future', 'x')").run();
    db.close();
    const result = await runCli(['restore', file], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('made by a newer Vouch (unknown migrations: 9999-future)');
  });

  it('restores a backup round trip, keeping the replaced file, and refuses while serve runs', async () => {
    const file = join(dir, 'round.db');
    expect((await runCli(['backup', file], env())).code).toBe(0);
    const backedUp = new SQLite(file, { readonly: true });
    const events = (backedUp.prepare('select count(*) as n from events').get() as { n: number }).n;
    backedUp.close();

    const server = await startServer(env());
    try {
      const busy = await runCli(['restore', file], env());
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain('is in use by another process');
    } finally {
      await server.stop();
    }
    await store.close();
    const live = new SQLite(dbFile());
    live.prepare('delete from events').run();
    live.close();

    const restored = await runCli(['restore', file], env());
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('.before-restore');
    const after = new SQLite(dbFile(), { readonly: true });
    expect((after.prepare('select count(*) as n from events').get() as { n: number }).n).toBe(events);
    after.close();
    const kept = new SQLite(`${dbFile()}.before-restore`, { readonly: true });
    expect((kept.prepare('select count(*) as n from events').get() as { n: number }).n).toBe(0);
    kept.close();
  });
});

describe.runIf(dialect === 'postgres')('vouch backup and restore on PostgreSQL', () => {
  it.each(['backup', 'restore'])('%s says what to use instead, without the password', async (verb) => {
    const url = 'postgres://vouch:s3cret-pw@db.internal:6543/referrals';
    const result = await runCli([verb, '/tmp/x.dump'], { DATABASE_URL: url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('works on SQLite only');
    expect(result.stderr).toContain(verb === 'backup' ? 'pg_dump -Fc' : 'pg_restore');
    expect(result.stderr).toContain('-h db.internal -p 6543 -U vouch -d referrals');
    expect(result.stderr).not.toContain('s3cret-pw');
  });
});
