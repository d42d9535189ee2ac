import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { childEnv, runCli } from '../support/cli.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'vouch.mjs');

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
    const format = await run('events', '--out', join(dir, 'x'), '--format', 'xlsx');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be ndjson, csv or parquet');
  });
});

describe('vouch export --format parquet', () => {
  let store: TestStore;
  let dir: string;
  const run = (table: string, out: string, ...args: string[]) =>
    runCli(['export', table, '--out', out, '--format', 'parquet', '--no-progress', ...args], {
      DATABASE_URL: store.url,
    });
  const runNdjson = (table: string, out: string) =>
    runCli(['export', table, '--out', out, '--no-progress'], { DATABASE_URL: store.url });

  /** Inserts rows in batches that stay under PostgreSQL's limit of parameters per statement. */
  async function insert(table: 'events' | 'ledger_entries' | 'outbox', rows: Record<string, unknown>[]) {
    for (let i = 0; i < rows.length; i += 1000) {
      const batch = rows.slice(i, i + 1000);
      await store.transaction((trx) =>
        trx
          .insertInto(table)
          .values(batch as never)
          .execute(),
      );
    }
    return rows.map((r) => r.id as string);
  }

  /** Sign-ups and purchases made `minutesAgo`, with amounts past 2^32 and JSON results. */
  function events(count: number, minutesAgo: number) {
    const at = Date.now() - minutesAgo * 60_000;
    return insert(
      'events',
      Array.from({ length: count }, (_, i) => {
        const id = newId('evt', at);
        const purchase = i % 3 !== 0;
        return {
          id,
          type: purchase ? 'purchase' : 'signup',
          name: null,
          external_id: `ext-${id}`,
          program_id: null,
          customer_external_id: `cus-${i}`,
          amount: purchase ? 5_000_000_000 + i : null,
          currency: purchase ? 'USD' : null,
          loyalty_points: purchase ? i : null,
          purchase_external_id: null,
          occurred_at: new Date(at - i).toISOString(),
          received_at: new Date(at).toISOString(),
          result: JSON.stringify({ outcome: 'recorded', n: i, rewards: [] }),
        };
      }),
    );
  }

  function ledgerEntries(count: number, minutesAgo: number) {
    const at = Date.now() - minutesAgo * 60_000;
    return insert(
      'ledger_entries',
      Array.from({ length: count }, (_, i) => ({
        id: newId('led', at),
        posting_id: `pst-${minutesAgo}-${i >> 1}`,
        account: i % 2 ? 'referrer_payable' : 'marketing_expense',
        participant_id: null,
        program_id: 'prg_export',
        reward_id: null,
        payout_id: null,
        currency: 'USD',
        amount: i % 2 ? 1000 + i : -(1000 + i),
        created_at: new Date(at).toISOString(),
      })),
    );
  }

  function messages(count: number, minutesAgo: number) {
    const at = Date.now() - minutesAgo * 60_000;
    return insert(
      'outbox',
      Array.from({ length: count }, (_, i) => ({
        id: newId('obx', at),
        topic: 'reward.approved',
        payload: JSON.stringify({ n: i }),
        created_at: new Date(at).toISOString(),
        processed_at: null,
      })),
    );
  }

  const readParquet = async (file: string) =>
    parquetReadObjects({ file: await asyncBufferFromFile(file) }) as Promise<Record<string, any>[]>;
  const readNdjson = (file: string): Record<string, any>[] =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  const big = (n: number | null) => (n === null ? null : BigInt(n));
  /** What Parquet holds for an NDJSON event: typed integers, times and JSON. */
  const typedEvent = (row: Record<string, any>) => ({
    ...row,
    amount: big(row.amount),
    loyalty_points: big(row.loyalty_points),
    occurred_at: new Date(row.occurred_at),
    received_at: new Date(row.received_at),
    result: JSON.parse(row.result),
  });
  const parts = (out: string) => readdirSync(out).sort();

  beforeAll(async () => {
    store = await createTestStore();
    dir = mkdtempSync(join(tmpdir(), 'vouch-parquet-'));
  });
  afterAll(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one typed part per run with the rows after the cursor, and none when nothing is new', async () => {
    const out = join(dir, 'events');
    const ndjson = join(dir, 'events.ndjson');
    const first = await events(6000, 10);
    const run1 = await run('events', out);
    expect(run1.code, run1.stderr).toBe(0);
    expect(run1.stdout).toContain(`Exported 6000 events rows to ${join(out, 'part-00001.parquet')}`);
    expect((await runNdjson('events', ndjson)).code).toBe(0);
    const part1 = await readParquet(join(out, 'part-00001.parquet'));
    expect(part1.map((r) => r.id)).toEqual(first);
    expect(part1).toEqual(readNdjson(ndjson).map(typedEvent));

    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(join(out, 'part-00001.parquet')));
    const [, ...columns] = metadata.schema;
    expect(columns.map((c) => c.name)).toEqual(Object.keys(readNdjson(ndjson)[0] ?? {}));
    const column = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(column.id).toMatchObject({
      type: 'BYTE_ARRAY',
      converted_type: 'UTF8',
      repetition_type: 'OPTIONAL',
    });
    expect(column.amount).toMatchObject({ type: 'INT64', repetition_type: 'OPTIONAL' });
    expect(column.amount?.converted_type).toBeUndefined();
    expect(column.loyalty_points).toMatchObject({ type: 'INT64' });
    expect(column.occurred_at).toMatchObject({ type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' });
    expect(column.result).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'JSON' });
    expect(metadata.row_groups.map((g) => g.num_rows)).toEqual([6000n]);

    const second = await events(700, 5);
    const run2 = await run('events', out);
    expect(run2.code, run2.stderr).toBe(0);
    expect((await runNdjson('events', ndjson)).code).toBe(0);
    const part2 = await readParquet(join(out, 'part-00002.parquet'));
    expect(part2.map((r) => r.id)).toEqual(second);
    expect(part2).toEqual(readNdjson(ndjson).slice(6000).map(typedEvent));
    expect(readFileSync(join(out, '.cursor'), 'utf8').trim()).toBe(second[second.length - 1]);

    const run3 = await run('events', out);
    expect(run3.code, run3.stderr).toBe(0);
    expect(run3.stdout).toContain('Exported 0 events rows');
    expect(parts(out)).toEqual(['.cursor', 'part-00001.parquet', 'part-00002.parquet']);
  });

  it('creates the directory and starts where --since says', async () => {
    // Later than the rows made so far: newId never goes back in time within a process.
    await ledgerEntries(100, 4);
    const recent = await ledgerEntries(50, 2);
    const out = join(dir, 'nested', 'ledger');
    const since = new Date(Date.now() - 3 * 60_000).toISOString();
    const result = await run('ledger_entries', out, '--since', since);
    expect(result.code, result.stderr).toBe(0);
    const rows = await readParquet(join(out, 'part-00001.parquet'));
    expect(rows.map((r) => r.id)).toEqual(recent);
    expect(rows.slice(0, 2).map((r) => r.amount)).toEqual([-1000n, 1001n]);
    expect(rows[0]?.created_at).toBeInstanceOf(Date);
  });

  it('deletes the half-written part of a killed run and exports its rows again, once', async () => {
    await messages(60_000, 10);
    const out = join(dir, 'webhooks');
    const child = spawn(
      process.execPath,
      [BIN, 'export', 'webhook_events', '--out', out, '--format', 'parquet', '--no-progress'],
      { env: childEnv({ DATABASE_URL: store.url }), stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const writing = async () => {
      while (!(existsSync(out) && readdirSync(out).some((n) => n.endsWith('.partial')))) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill('SIGKILL');
    };
    await Promise.race([writing(), exited]);
    expect(await exited, 'killed while writing its part').toBe('SIGKILL');
    // Killed mid-part: nothing complete, and the cursor has not moved.
    expect(parts(out)).toEqual(['part-00001.parquet.partial']);

    const rerun = await run('webhook_events', out);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(parts(out)).toEqual(['.cursor', 'part-00001.parquet']);
    const ndjson = join(dir, 'webhooks.ndjson');
    expect((await runNdjson('webhook_events', ndjson)).code).toBe(0);
    const file = join(out, 'part-00001.parquet');
    expect((await readParquet(file)).map((r) => r.id)).toEqual(readNdjson(ndjson).map((r) => r.id));
    // Row groups of 50,000 rows, not one per page read.
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(metadata.row_groups.map((g) => g.num_rows)).toEqual([50_000n, 10_000n]);
  });

  it('finishes a run killed after its part was complete but before its cursor was saved', async () => {
    const out = join(dir, 'ledger');
    expect((await run('ledger_entries', out)).code).toBe(0);
    const before = readFileSync(join(out, '.cursor'), 'utf8');
    const added = await ledgerEntries(20, 4);
    expect((await run('ledger_entries', out)).code).toBe(0);
    const after = readFileSync(join(out, '.cursor'), 'utf8');
    expect(after.trim()).toBe(added[added.length - 1]);
    // What a kill between renaming part 2 and saving the cursor leaves behind.
    writeFileSync(join(out, '.cursor'), before);
    writeFileSync(join(out, '.cursor.pending'), `part-00002.parquet ${after.trim()}\n`);

    const result = await run('ledger_entries', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Exported 0 ledger_entries rows');
    expect(parts(out)).toEqual(['.cursor', 'part-00001.parquet', 'part-00002.parquet']);
    expect(readFileSync(join(out, '.cursor'), 'utf8')).toBe(after);
  });

  it('refuses a parquet --out that is a file', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const result = await run('events', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('parquet writes to a directory');
  });
});

// Last in the file: ids made now move this process's id clock to now (ids never go back), so
// rows the tests above make "minutes ago" would be fresh after it.
describe('vouch export right after rows were written', () => {
  let store: TestStore;
  let dir: string;
  beforeAll(async () => {
    store = await createTestStore();
    dir = mkdtempSync(join(tmpdir(), 'vouch-export-fresh-'));
  });
  afterAll(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says why rows written in the last minute are not exported yet, and names no cursor it did not save', async () => {
    const out = join(dir, 'fresh.ndjson');
    const before = Date.now();
    const at = new Date().toISOString();
    const rows = Array.from({ length: 5 }, (_, n) => ({
      id: newId('obx'),
      topic: 'reward.approved',
      payload: { n },
      createdAt: at,
    }));
    await store.transaction((trx) => enqueue(trx, rows));
    const run1 = await runCli(
      [
        'export',
        'webhook_events',
        '--out',
        out,
        '--since',
        new Date(before - 1000).toISOString(),
        '--no-progress',
      ],
      { DATABASE_URL: store.url },
    );
    expect(run1.code, run1.stderr).toBe(0);
    expect(run1.stdout).toContain('Exported 0 webhook_events rows.');
    expect(run1.stdout).toMatch(
      /5 newer webhook_events rows are not exported yet: rows are exported once they are a minute old/,
    );
    const after = /Run again after (\S+) to export them/.exec(run1.stdout)?.[1];
    expect(Date.parse(after as string)).toBeGreaterThanOrEqual(before + 60_000);
    expect(run1.stdout).toContain('No cursor was saved');
    expect(run1.stdout).not.toContain('.cursor');
    expect(existsSync(`${out}.cursor`)).toBe(false);
  });
});
