import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createApiKey, hashKey } from '../../src/services/access/api-keys.ts';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

// Keys made before scopes had full access: after migration 0017 they are admin, and keep working.
describe('migration 0017-api-key-scopes', () => {
  let store: TestStore;
  const plaintext = 'sk_madeBeforeScopes0123456789abcdef';
  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
    await migrateTo(store.db, '0016-rate-limits');
    await (store.db as any)
      .insertInto('api_keys')
      .values({
        id: 'key_old',
        name: 'old',
        kind: 'secret',
        prefix: plaintext.slice(0, 7),
        hash: hashKey(plaintext),
        created_at: '2030-01-01T00:00:00.000Z',
        revoked_at: null,
      })
      .execute();
    await migrateToLatest(store.db);
  });
  afterAll(() => store.drop());

  it('makes an existing key admin', async () => {
    expect(await authenticate(store.db, plaintext)).toMatchObject({
      id: 'key_old',
      kind: 'secret',
      scopes: ['admin'],
    });
  });

  it('stores the scopes a new key is given, and admin when none is', async () => {
    const { key, plaintext: reader } = await store.transaction((trx) =>
      createApiKey(trx, 'reader', new Date(), {
        scopes: ['read', 'events:write'],
      }),
    );
    expect(key.scopes).toEqual(['read', 'events:write']);
    expect(await authenticate(store.db, reader)).toMatchObject({ scopes: ['read', 'events:write'] });
    const { plaintext: full } = await store.transaction((trx) => createApiKey(trx, 'full', new Date()));
    expect(await authenticate(store.db, full)).toMatchObject({ kind: 'secret', scopes: ['admin'] });
  });

  it('makes a publishable key pk_ with no scope', async () => {
    const { key, plaintext: pk } = await store.transaction((trx) =>
      createApiKey(trx, 'widget', new Date(), { publishable: true }),
    );
    expect(pk).toMatch(/^pk_[A-Za-z0-9]{32}$/);
    expect(key).toMatchObject({ kind: 'publishable', scopes: [], prefix: pk.slice(0, 7) });
    expect(await authenticate(store.db, pk)).toMatchObject({ kind: 'publishable', scopes: [] });
  });
});
