import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared } from '../../src/store/prepared.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

interface Setting {
  key: string;
  value: string;
}

describe('prepared', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  const insertSettings = prepared((db, rows: Setting[]) => db.insertInto('settings').values(rows));
  const selectValue = prepared((db, v: { key: string }) =>
    db.selectFrom('settings').select('value').where('key', '=', v.key),
  );

  it('runs one compiled query with the values of each call', async () => {
    await store.transaction((trx) => insertSettings(trx, [{ key: 'p1', value: 'one' }]));
    await store.transaction((trx) => insertSettings(trx, [{ key: 'p2', value: 'two' }]));

    expect((await selectValue(store.db, { key: 'p1' })).rows).toEqual([{ value: 'one' }]);
    expect((await selectValue(store.db, { key: 'p2' })).rows).toEqual([{ value: 'two' }]);
    expect((await selectValue(store.db, { key: 'none' })).rows).toEqual([]);
  });

  it('compiles each row count of an array on its own', async () => {
    const rows = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));

    await store.transaction((trx) => insertSettings(trx, rows(3, 'three-')));
    await store.transaction((trx) => insertSettings(trx, rows(2, 'two-')));

    const stored = await store.db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', 'like', 't%-%')
      .orderBy('key')
      .execute();
    expect(stored).toEqual(
      [...rows(3, 'three-'), ...rows(2, 'two-')].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
  });

  it('keeps the constants the query holds itself', async () => {
    const insertWithConstant = prepared((db, v: { key: string }) =>
      db.insertInto('settings').values({ key: v.key, value: 'constant' }),
    );
    await store.transaction((trx) => insertWithConstant(trx, { key: 'c1' }));
    await store.transaction((trx) => insertWithConstant(trx, { key: 'c2' }));

    expect((await selectValue(store.db, { key: 'c1' })).rows).toEqual([{ value: 'constant' }]);
    expect((await selectValue(store.db, { key: 'c2' })).rows).toEqual([{ value: 'constant' }]);
  });

  it('refuses a query that changes a value on its way to SQL', async () => {
    const changed = prepared((db, v: { key: string }) =>
      db.selectFrom('settings').select('value').where('key', '=', `prefix-${v.key}`),
    );

    await expect(changed(store.db, { key: 'x' })).rejects.toThrow(/changed on its way to SQL/);
  });
});
