import { approveAllDue } from '../../worker/reward-maturation.ts';
import { configOrExit, openMigratedStore } from '../context.ts';

/** `vouch rewards approve-due`: what `vouch serve` does every minute, once, for cron or by hand. */
export async function approveDueCommand(): Promise<void> {
  const store = await openMigratedStore(configOrExit());
  try {
    const approved = await approveAllDue(store, new Date());
    console.log(`Approved ${approved} reward${approved === 1 ? '' : 's'} whose hold had ended.`);
  } finally {
    await store.close();
  }
}
