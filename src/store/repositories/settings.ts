import type { Executor } from '../executor.ts';

export async function getSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Stores the value unless the key is set already; true when this call stored it. */
export async function insertSettingIfAbsent(db: Executor, key: string, value: string): Promise<boolean> {
  const inserted = await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Stores the value unless the key is set already; returns whichever value is stored. */
export async function putSettingIfAbsent(db: Executor, key: string, value: string): Promise<string> {
  await insertSettingIfAbsent(db, key, value);
  return (await getSetting(db, key)) ?? value;
}

/** Replaces a setting's value unless it changed since it was read; whether it did. */
export async function replaceSetting(
  db: Executor,
  key: string,
  read: string,
  next: string,
): Promise<boolean> {
  const result = await db
    .updateTable('settings')
    .set({ value: next })
    .where('key', '=', key)
    .where('value', '=', read)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
