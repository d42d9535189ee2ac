import type { FastifyBaseLogger } from 'fastify';
import type { ClickTotals } from '../../lib/metrics.ts';
import type { Store } from '../../store/database.ts';
import { type ClickRow, insertClicks } from '../../store/repositories/clicks.ts';

export interface ClickRecorderOptions {
  /**
   * Each redirect waits for its click's commit (group commit: the clicks that arrive while one
   * batch commits share the next). Off: clicks are buffered and written up to maxDelayMs later.
   */
  durable?: boolean;
  /** Flush once this many clicks wait. */
  maxBatch?: number;
  /** Flush at the latest this long after the first waiting click. */
  maxDelayMs?: number;
  /** Past this many unwritten clicks (database down), the oldest are dropped and logged. */
  maxBuffered?: number;
}

interface Waiting {
  click: ClickRow;
  committed: () => void;
}

/**
 * Writes clicks in batches, one transaction per batch, in one of two ways. Durable (the default):
 * `record` answers a promise that settles once the click is committed, and a batch starts as soon
 * as the previous one has committed, so under load many clicks share a commit and an idle click
 * commits at once. Buffered: `record` answers nothing, and the click is written within maxDelayMs
 * (or once maxBatch wait), so a crash loses what is buffered. Either way `close()` writes what is
 * left, so a clean shutdown loses nothing.
 */
export class ClickRecorder implements ClickTotals {
  readonly durable: boolean;
  /** Running totals for the metrics: plain numbers, so recording a click allocates nothing more. */
  buffered = 0;
  written = 0;
  dropped = 0;
  private queued: Waiting[] = [];
  private writing: Promise<void> | null = null;
  private buffer: ClickRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    options: ClickRecorderOptions = {},
  ) {
    this.durable = options.durable ?? true;
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.maxBuffered = options.maxBuffered ?? 100_000;
  }

  /** Clicks recorded and not yet written. */
  get waiting(): number {
    return this.queued.length + this.buffer.length;
  }

  /** Durable: settles once the click is committed (or, if its write failed, handed to the buffer). */
  record(click: ClickRow): Promise<void> | undefined {
    this.buffered++;
    if (this.durable) {
      return new Promise<void>((committed) => {
        this.queued.push({ click, committed });
        this.writing ??= this.writeWaiting();
      });
    }
    this.buffer.push(click);
    if (this.buffer.length >= this.maxBatch) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.maxDelayMs);
    }
  }

  /** Writes everything buffered so far; resolves once it is committed. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Batches are written one after another, never in parallel, so SQLite sees one writer.
    this.flushing = this.flushing.then(() => this.writeBuffered());
    return this.writing ? Promise.all([this.writing, this.flushing]).then(() => {}) : this.flushing;
  }

  /** Commits the waiting clicks batch after batch until none wait. */
  private async writeWaiting(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        let batch: Waiting[] | undefined;
        try {
          // The batch is taken when the transaction runs, not before: on SQLite the group commit
          // starts it at the end of this event-loop turn, so every click read in the turn joins.
          // A transaction run again (a PostgreSQL conflict, a neighbour's failure in SQLite's
          // group commit) writes the same batch.
          await this.store.transaction((trx) => {
            batch ??= this.queued.splice(0, this.maxBatch);
            return insertClicks(
              trx,
              batch.map((w) => w.click),
            );
          });
          this.written += batch?.length ?? 0;
        } catch (err) {
          // The database refuses writes: the redirects are still answered (the visitor reaches
          // the landing page, vouch_ref still attributes), and the clicks are retried from the buffer.
          batch ??= this.queued.splice(0, this.maxBatch);
          this.log.error({ err, clicks: batch.length }, 'click batch not written; retrying from memory');
          this.buffer.push(...batch.map((w) => w.click));
          this.retryLater();
        }
        for (const w of batch ?? []) w.committed();
      }
    } finally {
      this.writing = null;
    }
  }

  private retryLater(): void {
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), 1000);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async writeBuffered(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      await this.store.transaction((trx) => insertClicks(trx, batch));
      this.written += batch.length;
    } catch (err) {
      this.buffer = batch.concat(this.buffer);
      const overflow = this.buffer.length - this.maxBuffered;
      if (overflow > 0) {
        this.buffer.splice(0, overflow);
        this.dropped += overflow;
      }
      this.log.error(
        { err, waiting: this.buffer.length, dropped: Math.max(0, overflow) },
        'click batch not written',
      );
      this.retryLater();
    }
  }
}
