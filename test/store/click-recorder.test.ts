import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClickRecorder } from '../../src/http/edge/click-recorder.ts';
import { newId } from '../../src/lib/ids.ts';
import type { Store } from '../../src/store/database.ts';
import type { ClickRow } from '../../src/store/repositories/clicks.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

const silent = { error: () => {} } as never;

/** The store, counting its transactions and failing the next `failures` of them before they run. */
function countingStore(store: Store) {
  const counted = { transactions: 0, failures: 0, errors: [] as unknown[] };
  const wrapped: Store = {
    ...store,
    transaction(work) {
      counted.transactions++;
      if (counted.failures > 0) {
        counted.failures--;
        return Promise.reject(new Error('database unavailable'));
      }
      return store.transaction(work);
    },
  };
  const log = { error: (fields: unknown) => counted.errors.push(fields) } as never;
  return { store: wrapped, counted, log };
}

describe('ClickRecorder', () => {
  let store: TestStore;
  let click: (n: number) => ClickRow;
  beforeEach(async () => {
    store = await createTestStore();
    const at = new Date().toISOString();
    click = (n) => ({
      id: newId('clk'),
      program_id: 'prg_test',
      participant_id: 'par_test',
      code: 'CLICKS01',
      occurred_at: at,
      ip_hash: null,
      user_agent: `agent ${n}`,
      referer: null,
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      utm_term: null,
      utm_content: null,
      device_id: null,
    });
  });
  afterEach(() => store.drop());

  const storedIds = async () =>
    new Set((await store.db.selectFrom('clicks').select('id').execute()).map((row) => row.id));

  it('durable: settles each click only once it is committed, and a burst shares commits', async () => {
    const { store: counting, counted } = countingStore(store);
    const recorder = new ClickRecorder(counting, silent);
    const clicks = Array.from({ length: 300 }, (_, n) => click(n));
    // Each click, when its promise settles, must already be readable.
    const seen = await Promise.all(
      clicks.map(async (c) => {
        await recorder.record(c);
        return (await storedIds()).has(c.id);
      }),
    );
    expect(seen.every(Boolean)).toBe(true);
    // Recorded in one turn: one commit for the first batch at most one more for stragglers.
    expect(counted.transactions).toBeLessThanOrEqual(2);
    expect((await storedIds()).size).toBe(300);
  });

  it('durable: a lone click commits at once, without waiting for a timer', async () => {
    const recorder = new ClickRecorder(store, silent, { maxDelayMs: 60_000 });
    const c = click(1);
    await recorder.record(c);
    expect((await storedIds()).has(c.id)).toBe(true);
  });

  it('durable: a failed commit still settles the redirect, and the click is written on the next flush', async () => {
    const { store: failing, counted, log } = countingStore(store);
    const recorder = new ClickRecorder(failing, log);
    counted.failures = 1;
    const c = click(1);
    await recorder.record(c);
    expect(counted.errors).toHaveLength(1);
    expect((await storedIds()).has(c.id)).toBe(false);
    await recorder.close();
    expect((await storedIds()).has(c.id)).toBe(true);
  });

  it('buffered: answers nothing to wait for, and writes the batch on flush', async () => {
    const recorder = new ClickRecorder(store, silent, { durable: false, maxDelayMs: 60_000 });
    const c = click(1);
    expect(recorder.record(c)).toBeUndefined();
    expect((await storedIds()).has(c.id)).toBe(false);
    await recorder.flush();
    expect((await storedIds()).has(c.id)).toBe(true);
  });
});
