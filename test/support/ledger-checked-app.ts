import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { verifyLedger } from '../../src/services/ledger/verify-ledger.ts';
import { createTestApp, type TestApp } from './app.ts';

// For test files that move money: one app per file (vitest isolates files, so `t` is the
// file's own), its clock reset after each test, and the ledger verified clean after each.

export let t: TestApp;

/** `env` configures the app (a Stripe signing secret, say). */
export function useLedgerCheckedApp(env: Record<string, string> = {}): void {
  beforeAll(async () => {
    t = await createTestApp(env);
  });
  afterEach(async () => {
    t.setNow(null);
    expect((await verifyLedger(t.store.db)).problems).toEqual([]);
  });
  afterAll(() => t.close());
}
