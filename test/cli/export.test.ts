import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { runCli } from '../support/cli.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

describe('vouch export', () => {
  let store: TestStore;
  let dir: string;
  const run = (...args: string[]) =>
    runCli(['export', ...args, '--no-progress'], { DATABASE_URL: store.url });

  /** Outbox rows made `minutesAgo`: old enough to be exported. */
  async function messages(count: number, minutesAgo: number) {
    const at = Date.now() - minutesAgo * 60_000;
    const rows = Array.from({ length: count }, (_, i) => ({
      id: newId('obx', at),
      topic: 'reward.approved',
      payload: { n: i, minutesAgo },
      createdAt: new Date(at).toISOString(),
    }));
    await store.transaction((trx) => enqueue(trx, rows));
    return rows.map((r) => r.id);
  }

  beforeAll(async () => {
    store = await createTestStore();
    dir = mkdtempSync(join(tmpdir(), 'vouch-export-'));
  });
  afterAll(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends new rows on each run, resuming from the cursor kept beside the file', async () => {
    const out = join(dir, 'events.ndjson');
    const first = await messages(6000, 10);
    const run1 = await run('webhook_events', '--out', out);
    expect(run1.code, run1.stderr).toBe(0);
    const second = await messages(700, 5);
    const run2 = await run('webhook_events', '--out', out);
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stdout).toContain('Exported 700 webhook_events rows');
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([...first, ...second]);
    expect(readFileSync(`${out}.cursor`, 'utf8').trim()).toBe(second[second.length - 1]);
  });

  it('writes CSV with one header, and starts where --since says', async () => {
    const out = join(dir, 'events.csv');
    const since = new Date(Date.now() - 6 * 60_000).toISOString();
    const run1 = await run('webhook_events', '--out', out, '--format', 'csv', '--since', since);
    expect(run1.code, run1.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('id,topic,payload,created_at');
    expect(rows).toHaveLength(701);
    await run('webhook_events', '--out', out, '--format', 'csv');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(701);
  });

  it('refuses an unknown table or format with a line saying so', async () => {
    const table = await run('api_keys', '--out', join(dir, 'x'));
    expect(table.code).toBe(2);
    expect(table.stderr).toContain('table must be one of');
    const format = await run('events', '--out', join(dir, 'x'), '--format', 'parquet');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be ndjson or csv');
  });
});
