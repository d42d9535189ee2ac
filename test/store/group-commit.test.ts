import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.ts';
import { createTestStore, dialect, type TestStore } from '../support/store.ts';

const setting = (key: string) => ({ key, value: key.toUpperCase() });

// Group commit is how SQLite writes; PostgreSQL gives each unit a transaction of its own.
describe.skipIf(dialect !== 'sqlite')('group commit on SQLite', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore();
  });
  afterEach(() => store.drop());

  const keys = async () =>
    (await store.db.selectFrom('settings').select('key').orderBy('key').execute()).map((r) => r.key);

  it('runs concurrent units in one transaction and answers each with its own result', async () => {
    const results = await Promise.all(
      ['a', 'b', 'c'].map((key) =>
        store.transaction(async (trx) => {
          await trx.insertInto('settings').values(setting(key)).execute();
          return key;
        }),
      ),
    );
    expect(results).toEqual(['a', 'b', 'c']);
    expect(await keys()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back a failing unit alone; the others in its batch commit', async () => {
    const outcomes = await Promise.allSettled([
      store.transaction((trx) => trx.insertInto('settings').values(setting('a')).execute()),
      store.transaction(async (trx) => {
        await trx.insertInto('settings').values(setting('b')).execute();
        throw new Error('rejected by a rule');
      }),
      store.transaction((trx) => trx.insertInto('settings').values(setting('c')).execute()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('rejected by a rule');
    expect(await keys()).toEqual(['a', 'c']);
  });

  it("hides a failed unit's writes from the units after it, and runs each other unit once in effect", async () => {
    const outcomes = await Promise.allSettled([
      store.transaction((trx) => trx.insertInto('settings').values(setting('before')).execute()),
      store.transaction(async (trx) => {
        await trx.insertInto('settings').values(setting('failed')).execute();
        throw new Error('rejected by a rule');
      }),
      store.transaction(async (trx) =>
        (await trx.selectFrom('settings').select('key').execute()).map((r) => r.key),
      ),
      store.transaction(async (trx) => {
        await trx.insertInto('settings').values(setting('late')).execute();
        throw new Error('also rejected');
      }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((outcomes[2] as PromiseFulfilledResult<string[]>).value).toEqual(['before']);
    expect(await keys()).toEqual(['before']);
  });

  it('lets a later unit in the batch see what an earlier one wrote', async () => {
    const [, seen] = await Promise.all([
      store.transaction((trx) => trx.insertInto('settings').values(setting('first')).execute()),
      store.transaction((trx) => trx.selectFrom('settings').select('key').execute()),
    ]);
    expect(seen.map((r) => r.key)).toEqual(['first']);
  });

  it('answers a unit only once its batch is committed', async () => {
    await store.transaction((trx) => trx.insertInto('settings').values(setting('done')).execute());
    // A second connection sees the row: it was committed before the promise resolved.
    const other = await openStore(store.url);
    try {
      const row = await other.db
        .selectFrom('settings')
        .selectAll()
        .where('key', '=', 'done')
        .executeTakeFirst();
      expect(row?.value).toBe('DONE');
    } finally {
      await other.close();
    }
  });
});
