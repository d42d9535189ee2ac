import type { FastifyBaseLogger } from 'fastify';
import type { ClickTotals } from '../lib/metrics.ts';
import type { Store } from '../store/database.ts';
import { type ClickRow, insertClicks } from '../store/repositories/clicks.ts';

export interface ClickRecorderOptions {
  /** Flush once this many clicks wait. */
  maxBatch?: number;
  /** Flush at the latest this long after the first waiting click. */
  maxDelayMs?: number;
  /** Past this many unwritten clicks (database down), the oldest are dropped and logged. */
  maxBuffered?: number;
}

/**
 * Keeps click writes off the redirect's critical path: clicks are buffered and written in batches,
 * one transaction per batch. `close()` writes what is left, so a clean shutdown loses nothing.
 */
export class ClickRecorder implements ClickTotals {
  /** Running totals for the metrics: plain numbers, so recording a click allocates nothing more. */
  buffered = 0;
  written = 0;
  dropped = 0;
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
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.maxBuffered = options.maxBuffered ?? 100_000;
  }

  get waiting(): number {
    return this.buffer.length;
  }

  record(click: ClickRow): void {
    this.buffered++;
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
    return this.flushing;
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
      if (!this.timer) this.timer = setTimeout(() => void this.flush(), 1000);
    }
  }
}
