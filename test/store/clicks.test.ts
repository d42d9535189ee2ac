import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { type ClickRow, insertClicks } from '../../src/store/repositories/clicks.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

function clicks(count: number, code: string): ClickRow[] {
  return Array.from({ length: count }, (_, i) => ({
    id: newId('clk'),
    program_id: 'prg_test',
    participant_id: 'par_test',
    code,
    occurred_at: new Date(Date.UTC(2030, 0, 1, 0, 0, 0, i)).toISOString(),
    ip_hash: `ip${i}`,
    user_agent: i % 2 ? `agent ${i}` : null,
    referer: null,
    utm_source: i % 3 ? null : `source ${i}`,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: `content ${i}`,
    device_id: i % 2 === 0 ? `dev_${i}` : null,
  }));
}

describe('insertClicks', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  const stored = (code: string) =>
    store.db.selectFrom('clicks').selectAll().where('code', '=', code).orderBy('id').execute();

  // Sizes that are not multiples of the insert chunks, so every chunk size and the remainder are used.
  it.each([1, 9, 263, 1001])('stores every field of every row in a batch of %i', async (count) => {
    const rows = clicks(count, `C${count}`);

    await store.transaction((trx) => insertClicks(trx, rows));

    expect(await stored(`C${count}`)).toEqual(rows);
  });

  it('writes nothing for an empty batch', async () => {
    await store.transaction((trx) => insertClicks(trx, []));

    expect(await stored('C0')).toEqual([]);
  });

  it('skips clicks already stored, so a batch written twice is stored once', async () => {
    const rows = clicks(12, 'TWICE');
    await store.transaction((trx) => insertClicks(trx, rows.slice(0, 5)));

    await store.transaction((trx) => insertClicks(trx, rows));

    expect(await stored('TWICE')).toEqual(rows);
  });
});
