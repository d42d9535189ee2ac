import { configOrExit, describeDatabase, openMigratedStore } from '../context.ts';

export async function migrate(): Promise<void> {
  const config = configOrExit();
  const store = await openMigratedStore(config);
  await store.close();
  console.log(`Database ${describeDatabase(config.databaseUrl)} is up to date.`);
}
