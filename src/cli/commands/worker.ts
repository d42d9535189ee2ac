import pino from 'pino';
import { startMetricsServer, watchBacklog } from '../../http/metrics.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { ensureInstanceSecret } from '../../services/access/instance-secret.ts';
import { startEmailWorker } from '../../worker/email-worker.ts';
import { startHeartbeat } from '../../worker/heartbeat.ts';
import { startIdempotencyExpiry } from '../../worker/idempotency-expiry.ts';
import { startRewardMaturation } from '../../worker/reward-maturation.ts';
import { startWebhookWorker } from '../../worker/webhook-worker.ts';
import { configOrExit, openMigratedStore } from '../context.ts';
import { logStreamFor } from '../terminal.ts';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Background work without the HTTP server: webhook delivery and reward maturation. Run as many
 * as needed beside `vouch serve` processes started with VOUCH_WEBHOOK_WORKER=off.
 */
export async function worker(): Promise<void> {
  const config = configOrExit();
  const store = await openMigratedStore(config);
  const stream = logStreamFor(process.stdout);
  const log = stream ? pino({ level: config.logLevel }, stream) : pino({ level: config.logLevel });
  store.logConnectionLoss(log);
  // Served only on VOUCH_METRICS_PORT: a worker has no API port to put /metrics behind a token.
  const metrics = createMetrics({ processMetrics: true });
  store.countDatabaseErrors((kind) => metrics.databaseError(kind));
  watchBacklog(metrics, store, log);
  const metricsServer = config.metricsPort
    ? await startMetricsServer(metrics, config.metricsPort, config.host, log)
    : null;
  const stopMaturation = startRewardMaturation(store, log, SWEEP_INTERVAL_MS, () => new Date());
  const stopExpiry = startIdempotencyExpiry(
    store,
    log,
    SWEEP_INTERVAL_MS,
    config.idempotencyKeyTtlHours,
    () => new Date(),
  );
  const secret = await store.transaction((trx) => ensureInstanceSecret(trx, store.keyring, config.secret));
  const mailing = config.email ? { publicUrl: config.publicUrl, secret } : undefined;
  const stopWebhooks = startWebhookWorker(store, config.webhooks, log, () => new Date(), {
    metrics,
    mailing,
  });
  const stopEmails = config.email
    ? startEmailWorker(store, config.email, config.publicUrl, log, () => new Date())
    : async () => {};
  // Read by serve's /health/ready: a worker that dies without stopping goes stale there.
  const stopHeartbeat = startHeartbeat(store, log, () => new Date());
  // The workers' timers do not hold the process open (inside `serve` the server does), and
  // better-sqlite3 holds no handle: this one keeps a worker alive while it waits for work.
  const keepAlive = setInterval(() => {}, 60_000);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    clearInterval(keepAlive);
    log.info({ signal }, 'shutting down: finishing the webhook attempts in flight');
    await stopWebhooks();
    await stopEmails();
    await stopMaturation();
    await stopExpiry();
    await stopHeartbeat();
    await metricsServer?.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  log.info('Vouch worker started: webhooks and reward maturation');
}
