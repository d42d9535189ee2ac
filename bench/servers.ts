// Child processes for the bench: `vouch serve` on a throwaway SQLite file, and the bare baseline.
// Every child is tracked so that an error or Ctrl-C never leaves a server holding a port.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { newEncryptionKey } from '../src/lib/sealing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

export const API_KEY = `sk_bench${'0123456789abcdef'.repeat(2)}`;

export interface Server {
  url: string;
  child: ChildProcess;
  dbFile?: string;
}

/** Kills whatever is still running and removes temp files; safe to call more than once. */
export function cleanup(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

// The OS picks a free port; the tiny window before the child binds it is acceptable for a bench.
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}

async function start(args: string[], env: Record<string, string>, readyPath: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    // The child's stdout goes to our stderr: our stdout must end with the JSON line.
    stdio: ['ignore', process.stderr, process.stderr],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    const ok = await fetch(url + readyPath, { redirect: 'manual' }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return { url, child };
    await sleep(100);
  }
  throw new Error(`${args.join(' ')} did not answer on ${url} within 60 s`);
}

export function startBaseline(): Promise<Server> {
  return start(['bench/baseline-server.mjs'], {}, '/');
}

// Every limit is counted, as in production, but none is reached: all the load comes from one
// address and one key.
export const UNREACHED_LIMITS = {
  VOUCH_RATE_LIMIT_KEY: '999999999/1s',
  VOUCH_RATE_LIMIT_IP: '999999999/1s',
  VOUCH_RATE_LIMIT_AUTH_FAILURES: '999999999/1s',
  VOUCH_RATE_LIMIT_LINKS: '999999999/1s',
};

/** A fresh database each time, so earlier runs never skew a measurement. */
export async function startVouch(extraEnv: Record<string, string> = UNREACHED_LIMITS): Promise<Server> {
  const dbFile = tempDatabase();
  return { ...(await startVouchOn(`sqlite:${dbFile}`, extraEnv)), dbFile };
}

// One per bench run, so a server started again on a killed one's database opens its secrets.
const BENCH_ENCRYPTION_KEY = newEncryptionKey();

/** `vouch serve` on a database the caller names, e.g. to start it again on the one a killed server left. */
export function startVouchOn(
  databaseUrl: string,
  extraEnv: Record<string, string> = UNREACHED_LIMITS,
): Promise<Server> {
  // VOUCH_BENCH_PROF=<dir> writes a .cpuprofile of each vouch server (not of the bench itself).
  const prof = process.env.VOUCH_BENCH_PROF;
  const args = [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), 'bin/vouch.mjs', 'serve'];
  const env = {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    VOUCH_BOOTSTRAP_KEY: API_KEY,
    // PostgreSQL starts only with a key; on SQLite the key file beside the database is measured.
    ...(databaseUrl.startsWith('postgres') ? { VOUCH_ENCRYPTION_KEYS: BENCH_ENCRYPTION_KEY } : {}),
    ...extraEnv,
  };
  return start(args, env, '/health');
}

/** A fresh SQLite file in a temp dir that cleanup() removes. */
export function tempDatabase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-'));
  tempDirs.push(dir);
  return join(dir, 'vouch.db');
}

/** `vouch worker` on a database: it serves no HTTP, so the caller watches for its work instead. */
export function startWorker(dbFile: string, env: Record<string, string>): Server {
  const child = spawn(process.execPath, ['bin/vouch.mjs', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: `sqlite:${dbFile}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', process.stderr, process.stderr],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { url: '', child, dbFile };
}

/** SIGTERM, then wait: vouch writes its buffered clicks before it exits. Exit code or signal. */
export async function stop({ child }: Server): Promise<number | string | null> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  return child.exitCode ?? child.signalCode;
}

// DATABASE_URL=postgres://… runs a bench that supports it on PostgreSQL, one fresh schema per server.
const POSTGRES = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;

export const benchDialect = () => (POSTGRES ? 'PostgreSQL' : 'SQLite');

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file, or a fresh PostgreSQL schema when the bench is given DATABASE_URL. */
export async function freshDatabase(): Promise<BenchDatabase> {
  if (!POSTGRES) return { url: `sqlite:${tempDatabase()}`, drop: async () => {} };
  const schema = `vouch_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const url = new URL(POSTGRES);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/**
 * The limits for a redirect bench: on PostgreSQL the link limit is counted in a table, and all the
 * load comes from one address, so every redirect would queue on one row; off there, so the bench
 * measures the redirect rather than that row.
 */
export const redirectLimits = (): Record<string, string> =>
  POSTGRES ? { ...UNREACHED_LIMITS, VOUCH_RATE_LIMIT_LINKS: 'off' } : UNREACHED_LIMITS;
