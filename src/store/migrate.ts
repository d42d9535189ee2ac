import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import * as core from './migrations/0001-core.ts';
import type { Database } from './schema.ts';

// Listed here rather than read from disk, so migrations ship inside any bundle and run in order.
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': core,
};

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
