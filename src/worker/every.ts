import type { FastifyBaseLogger } from 'fastify';
import { ConnectionLost } from '../store/connection-loss.ts';

/**
 * Runs `task` now and then every `intervalMs`, never two at once. A failure is logged and the next
 * run tries again (a lost connection was already logged once by the store). The returned stop waits
 * for a run in progress.
 */
export function every(
  intervalMs: number,
  task: () => Promise<void>,
  log: Pick<FastifyBaseLogger, 'error'>,
  failure: string,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const run = () => {
    if (busy) return;
    busy = true;
    running = task()
      .catch((err: unknown) => {
        if (!(err instanceof ConnectionLost)) log.error({ err }, failure);
      })
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
