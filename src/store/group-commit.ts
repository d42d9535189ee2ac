import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Queued {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Enough to amortise a commit; small enough that one batch never holds the writer for long.
const MAX_BATCH = 64;

/** A unit of a batch threw: the whole batch is rolled back, and this says which unit and why. */
class UnitFailed extends Error {
  constructor(
    readonly index: number,
    readonly reason: unknown,
  ) {
    super('a unit of the batch failed');
  }
}

/**
 * Group commit for SQLite. A database file has one writer, so transactions run one after another
 * anyway; those that queue while a commit is under way share the next transaction instead of each
 * paying for its own. Every caller is answered only after the shared commit, so nothing is
 * acknowledged that is not durable. Under no load a batch holds one unit and behaves like a plain
 * transaction.
 *
 * Units run without savepoints of their own: a savepoint per unit cost a fifth of the time SQLite
 * spent on ingestion, and units rarely fail. When one throws, the batch is rolled back, that unit
 * is answered with its error (as if it had run alone after the units before it, which it did), and
 * the others run again together without it.
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
    const failed: { item: Queued; reason: unknown }[] = [];
    let pending = batch;
    while (pending.length > 0) {
      const units = pending;
      try {
        const values = await this.db.transaction().execute(async (trx) => {
          const values: unknown[] = [];
          for (const [index, item] of units.entries()) {
            try {
              values.push(await item.work(trx));
            } catch (reason) {
              throw new UnitFailed(index, reason);
            }
          }
          return values;
        });
        for (const [i, item] of units.entries()) item.resolve(values[i]);
        break;
      } catch (error) {
        if (!(error instanceof UnitFailed)) {
          // BEGIN or COMMIT itself failed: nothing was written.
          for (const item of units) item.reject(error);
          break;
        }
        failed.push({ item: units[error.index] as Queued, reason: error.reason });
        pending = units.filter((_, i) => i !== error.index);
      }
    }
    // Failed units too are answered after the others commit: one that lost a race to a unit of
    // its own batch (an idempotency key, say) must find the winner's row when it looks.
    for (const { item, reason } of failed) item.reject(reason);
  }
}
