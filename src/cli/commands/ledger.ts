import { verifyLedger } from '../../services/ledger/verify-ledger.ts';
import { configOrExit, openMigratedStore } from '../context.ts';

/** `vouch ledger verify`: exits 1 when any invariant is broken, listing each break on its own line. */
export async function verifyLedgerCommand(): Promise<void> {
  const config = configOrExit();
  const store = await openMigratedStore(config);
  try {
    const report = await verifyLedger(store.db);
    const checked = `${report.postings} postings, ${report.entries} entries, ${report.rewards} rewards`;
    if (report.problems.length === 0) {
      console.log(`Ledger verified: ${checked}; every invariant holds.`);
      return;
    }
    console.log(`Ledger verification failed: ${report.problems.length} problems in ${checked}.`);
    for (const problem of report.problems) console.log(`  ${problem.kind} ${problem.id}: ${problem.detail}`);
    process.exitCode = 1;
  } finally {
    await store.close();
  }
}
