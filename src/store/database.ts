import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { DatabaseErrorKind } from '../lib/metrics.ts';
import { createKeyring, type Keyring, keylessKeyring } from '../lib/sealing.ts';
import { type LossLogger, OutageLog } from './connection-loss.ts';
import { GroupCommit } from './group-commit.ts';
import { keyFileOf, loadOrCreateKeyFile } from './key-file.ts';
import type { Database } from './schema.ts';
import { sqliteFileOf } from './sqlite-backup.ts';
import { survivingLoss } from './surviving-pool.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** PostgreSQL's pool, for a library that takes one (the rate limiter); null on SQLite. */
  readonly pool: pg.Pool | null;
  /** Seals and opens the secrets this database keeps (see lib/sealing.ts). */
  readonly keyring: Keyring;
  /**
   * Runs work in a transaction: the one way entry points write. On SQLite, concurrent callers
   * share commits (see GroupCommit); on PostgreSQL each gets a transaction of its own.
   */
  transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /**
   * Runs reads that must agree with each other (a row and its children) on one snapshot: outside
   * one, PostgreSQL's read committed lets a commit land between two statements.
   */
  snapshot<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** PostgreSQL: where a lost connection is logged (once per outage); SQLite has none to lose. */
  logConnectionLoss(log: LossLogger): void;
  /** Where each failure is counted (for /metrics): lost connections, retried transactions. */
  countDatabaseErrors(count: (kind: DatabaseErrorKind) => void): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (created if missing), so test runs don't collide. */
  schema?: string;
  poolSize?: number;
  /**
   * The keys that seal stored secrets, newest first. Without them: on a SQLite file, the key file
   * beside it; in memory, a key for the process's lifetime; on PostgreSQL, none: sealing and
   * opening fail (loadConfig refuses to start a process there without VOUCH_ENCRYPTION_KEYS).
   */
  encryptionKeys?: readonly Buffer[] | undefined;
}

const INT8_OID = 20;

function parseInt8(value: string): number {
  const n = Number(value);
  // Amounts are capped far below 2^53; a larger value means corrupt data, not a rounding choice.
  if (!Number.isSafeInteger(n)) throw new Error(`bigint value ${value} exceeds the safe integer range`);
  return n;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew, and better-sqlite3 compiles SQL on each prepare. Reusing the
 * compiled statement per SQL text is safe because Kysely runs one query at a time per connection.
 */
function withStatementCache(sqlite: SQLite.Database) {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string): SQLite.Statement {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value ?? '');
        statements.set(sql, statement);
      }
      return statement;
    },
    close(): void {
      sqlite.close();
    },
  };
}

/**
 * Transactions take SQLite's write lock at BEGIN (IMMEDIATE) rather than at their first write. A
 * deferred transaction that has read cannot wait for another process's writer: it fails at once
 * with SQLITE_BUSY. Taken up front, busy_timeout makes it wait its turn, so `vouch serve` and a
 * CLI command (or two servers) can share one file.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite runs DDL in transactions, though Kysely's adapter says it does not. Said, the migrator
 * runs in one (BEGIN IMMEDIATE, above), so two processes starting on a new file take turns: the
 * second waits for the first's migrations, then finds them done, rather than running them again.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

function openSqlite(url: string, options: OpenOptions): Store {
  const file = sqliteFileOf(url);
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(file)), { recursive: true });
  const keys =
    options.encryptionKeys ?? (inMemory ? [randomBytes(32)] : loadOrCreateKeyFile(keyFileOf(file)));
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash; only power loss can drop the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // A larger page cache and fewer, larger checkpoints: hot index pages stay in memory and a page
  // rewritten by many commits is copied back to the database file once.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('wal_autocheckpoint = 10000');
  // Every unit of a group commit runs in a savepoint, whose journal of page copies spills to a temp
  // file past 64 KiB unless temp files live in memory: that spill had doubled the time of each write.
  sqlite.pragma('temp_store = MEMORY');
  // Freed space inside a page is zeroed, so a value rewritten (a secret sealed in place) or deleted
  // does not linger in the file; FAST does it without extra writes.
  sqlite.pragma('secure_delete = FAST');
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
  });
  const commits = new GroupCommit(db);
  return {
    db,
    dialect: 'sqlite',
    pool: null,
    keyring: createKeyring(keys),
    transaction: (work) => commits.run(work),
    // One connection: a transaction holds it, so no commit lands between the reads it runs.
    snapshot: (work) => commits.run(work),
    logConnectionLoss: () => {},
    // better-sqlite3 opens the file once and has no connection to lose; busy waits are not errors.
    countDatabaseErrors: () => {},
    close: () => db.destroy(),
  };
}

async function openPostgres(url: string, options: OpenOptions): Promise<Store> {
  // Without keys the store still reads and writes rows (a bench counting clicks); only sealing fails.
  const keyring = options.encryptionKeys ? createKeyring(options.encryptionKeys) : keylessKeyring();
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text'),
  };
  if (options.schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    // Names the process in pg_stat_activity, unless the URL's application_name does.
    application_name: 'vouch',
    // TCP keep-alives stop a firewall or NAT from silently dropping an idle connection.
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path="${options.schema}"` } : {}),
  });
  const outage = new OutageLog();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: survivingLoss(pool, outage) }) });
  return {
    db,
    dialect: 'postgres',
    pool,
    keyring,
    transaction: (work) =>
      retryingConflicts(
        () => db.transaction().execute(work),
        () => outage.count('transaction_retried'),
      ),
    snapshot: (work) => db.transaction().setIsolationLevel('repeatable read').execute(work),
    logConnectionLoss: (log) => outage.attach(log),
    countDatabaseErrors: (count) => {
      outage.count = count;
    },
    close: () => db.destroy(),
  };
}

// PostgreSQL aborts one of two transactions that deadlock (40P01) or cannot be serialised
// (40001), and expects it to be run again. A unit of work is a whole transaction, so it can be.
const RETRIED_CODES = new Set(['40P01', '40001']);
const MAX_TRANSACTION_ATTEMPTS = 3;

async function retryingConflicts<T>(run: () => Promise<T>, retrying: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= MAX_TRANSACTION_ATTEMPTS || typeof code !== 'string' || !RETRIED_CODES.has(code))
        throw error;
      retrying();
    }
  }
}

/** Opens the database named by a `sqlite:` or `postgres://` URL. */
export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) return openSqlite(url, options);
  return openPostgres(url, options);
}
