import type { ControlledTransaction, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Queued {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Enough to amortise a commit; small enough that one batch never holds the writer for long.
const MAX_BATCH = 64;

/**
 * Group commit for SQLite. A database file has one writer, so transactions run one after another
 * anyway; those that queue while a commit is under way share the next transaction instead of each
 * paying for its own. Each unit of work runs in a savepoint of its own, so one that fails rolls back
 * alone, and every caller is answered only after the shared commit, so nothing is acknowledged that
 * is not durable. Under no load a batch holds one unit and behaves like a plain transaction.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private draining = false;

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work as Work<unknown>, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      // better-sqlite3 answers synchronously, so without this pause every request would commit
      // before the next one is even read. Waiting for the end of this event-loop turn lets the
      // requests read in the same turn join one batch.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitBatch(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.draining = false;
    }
  }

  private async commitBatch(batch: Queued[]): Promise<void> {
    let trx: ControlledTransaction<Database>;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      for (const item of batch) {
        const savepoint = await trx.savepoint('unit').execute();
        try {
          const value = await item.work(savepoint);
          await savepoint.releaseSavepoint('unit').execute();
          outcomes.push({ ok: true, value });
        } catch (error) {
          await savepoint.rollbackToSavepoint('unit').execute();
          await savepoint.releaseSavepoint('unit').execute();
          outcomes.push({ ok: false, value: error });
        }
      }
      await trx.commit().execute();
    } catch (error) {
      // The commit itself failed (or a savepoint could not be rolled back): nothing was written.
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) item.resolve(outcome.value);
      else item.reject(outcome?.value);
    });
  }
}
