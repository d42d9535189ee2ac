import {
  type Kysely,
  type Migration,
  type MigrationResultSet,
  Migrator,
  PostgresIntrospector,
  sql,
} from 'kysely';
import * as core from './migrations/0001-core.ts';
import * as rewardLifecycle from './migrations/0002-reward-lifecycle.ts';
import * as rewardRules from './migrations/0003-reward-rules.ts';
import * as auditLog from './migrations/0004-audit-log.ts';
import * as taxThresholds from './migrations/0005-tax-thresholds.ts';
import * as identityFraud from './migrations/0006-identity-fraud.ts';
import * as rewardKinds from './migrations/0007-reward-kinds.ts';
import * as qualificationConditions from './migrations/0008-qualification-conditions.ts';
import * as webhooks from './migrations/0009-webhooks.ts';
import * as webhookFairLease from './migrations/0010-webhook-fair-lease.ts';
import * as fraudEventTime from './migrations/0011-fraud-event-time.ts';
import * as rewardRelease from './migrations/0012-reward-release.ts';
import * as ledgerEvent from './migrations/0013-ledger-event.ts';
import * as idempotencyExpiry from './migrations/0014-idempotency-expiry.ts';
import * as rateLimits from './migrations/0016-rate-limits.ts';
import * as apiKeyScopes from './migrations/0017-api-key-scopes.ts';
import * as eventsWithoutEmail from './migrations/0018-events-without-email.ts';
import * as clickRefererOrigin from './migrations/0020-click-referer-origin.ts';
import * as portal from './migrations/0021-portal.ts';
import * as emails from './migrations/0022-emails.ts';
import * as widget from './migrations/0023-widget.ts';
import type { Database } from './schema.ts';

// Listed here rather than read from disk, so migrations ship inside any bundle and run in order.
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': core,
  '0002-reward-lifecycle': rewardLifecycle,
  '0003-reward-rules': rewardRules,
  '0004-audit-log': auditLog,
  '0005-tax-thresholds': taxThresholds,
  '0006-identity-fraud': identityFraud,
  '0007-reward-kinds': rewardKinds,
  '0008-qualification-conditions': qualificationConditions,
  '0009-webhooks': webhooks,
  '0010-webhook-fair-lease': webhookFairLease,
  '0011-fraud-event-time': fraudEventTime,
  '0012-reward-release': rewardRelease,
  '0013-ledger-event': ledgerEvent,
  '0014-idempotency-expiry': idempotencyExpiry,
  '0016-rate-limits': rateLimits,
  '0017-api-key-scopes': apiKeyScopes,
  '0018-events-without-email': eventsWithoutEmail,
  '0020-click-referer-origin': clickRefererOrigin,
  '0021-portal': portal,
  '0022-emails': emails,
  '0023-widget': widget,
};

/** The migrations this version knows, by name: a database with any other was made by a newer one. */
export const KNOWN_MIGRATIONS: ReadonlySet<string> = new Set(Object.keys(MIGRATIONS));

/**
 * Unless told a schema, Kysely looks for its migration tables in every schema of a PostgreSQL
 * database: with another schema already migrated (a parallel test run, another app) it skips
 * creating them here and then fails to find them. Pin them to the schema this connection uses.
 */
async function migrationTableSchema(db: Kysely<Database>): Promise<string | undefined> {
  if (!(db.introspection instanceof PostgresIntrospector)) return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

async function migrator(db: Kysely<Database>): Promise<Migrator> {
  const schema = await migrationTableSchema(db);
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

function orThrow(result: MigrationResultSet): MigrationResultSet {
  if (result.error) throw result.error;
  return result;
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  return migrateWith(db, (m) => m.migrateToLatest());
}

/** Up to and including the named migration: tests upgrade a database from an older schema with it. */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<MigrationResultSet> {
  return migrateWith(db, (m) => m.migrateTo(name));
}

/**
 * Kysely looks for its migration tables by listing the tables of every schema, and PostgreSQL
 * fails that listing (3F000) when another schema is dropped meanwhile (a parallel test run,
 * another app's clean-up). Nothing was migrated then, so it is simply tried again.
 */
async function migrateWith(
  db: Kysely<Database>,
  run: (migrator: Migrator) => Promise<MigrationResultSet>,
): Promise<MigrationResultSet> {
  for (let attempt = 1; ; attempt++) {
    const result = await run(await migrator(db));
    const code = (result.error as { code?: unknown } | undefined)?.code;
    if (code !== '3F000' || attempt >= 3) return orThrow(result);
  }
}

/** The names of the migrations this code knows that the database has not run: none when current. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrations = await (await migrator(db)).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
