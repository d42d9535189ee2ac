import { buildApp } from '../../http/app.ts';
import { startMetricsServer } from '../../http/metrics.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { bootstrapApiKey } from '../../services/access/api-keys.ts';
import { ensureInstanceSecret } from '../../services/access/instance-secret.ts';
import { startEmailWorker } from '../../worker/email-worker.ts';
import { startHeartbeat } from '../../worker/heartbeat.ts';
import { startIdempotencyExpiry } from '../../worker/idempotency-expiry.ts';
import { startRewardMaturation } from '../../worker/reward-maturation.ts';
import { startWebhookWorker } from '../../worker/webhook-worker.ts';
import { configOrExit, describeDatabase, openMigratedStore } from '../context.ts';
import { firstKeyBlock, logStreamFor } from '../terminal.ts';

// Holds are counted in days and stored responses expire in hours: a minute's delay is invisible.
const SWEEP_INTERVAL_MS = 60_000;

export async function serve(): Promise<void> {
  const config = configOrExit();
  const store = await openMigratedStore(config);
  const now = new Date();
  const { secret, key } = await store.transaction(async (trx) => ({
    secret: await ensureInstanceSecret(trx, store.keyring, config.secret),
    key: await bootstrapApiKey(trx, config.bootstrapKey, now),
  }));
  const terminal = process.stdout.isTTY === true;
  const metrics = createMetrics({ processMetrics: true });
  const app = await buildApp({ store, config, secret, metrics, logStream: logStreamFor(process.stdout) });
  store.logConnectionLoss(app.log);

  if (key.plaintext) {
    // Printed once, on the first start of an empty database; only its hash is stored.
    process.stdout.write(firstKeyBlock(key.plaintext, terminal));
  } else if (key.created) {
    app.log.info('adopted VOUCH_BOOTSTRAP_KEY as the first secret API key');
  }

  const stopMaturation = startRewardMaturation(store, app.log, SWEEP_INTERVAL_MS, () => new Date());
  const stopExpiry = startIdempotencyExpiry(
    store,
    app.log,
    SWEEP_INTERVAL_MS,
    config.idempotencyKeyTtlHours,
    () => new Date(),
  );
  // With SMTP configured, the outbox also writes emails, and the same process sends them.
  const mailing = config.email ? { publicUrl: config.publicUrl, secret } : undefined;
  const stopWebhooks = config.webhooks.inProcess
    ? startWebhookWorker(store, config.webhooks, app.log, () => new Date(), { metrics, mailing })
    : async () => {};
  const stopEmails =
    config.email && config.webhooks.inProcess
      ? startEmailWorker(store, config.email, config.publicUrl, app.log, () => new Date())
      : async () => {};
  // The in-process webhook worker beats as a separate `vouch worker` does (see /health/ready).
  const stopHeartbeat = config.webhooks.inProcess
    ? startHeartbeat(store, app.log, () => new Date())
    : async () => {};
  const metricsServer = config.metricsPort
    ? await startMetricsServer(metrics, config.metricsPort, config.host, app.log)
    : null;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests and writing buffered clicks');
    await app.close();
    await stopMaturation();
    await stopExpiry();
    await stopWebhooks();
    await stopEmails();
    await stopHeartbeat();
    await metricsServer?.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { address, database: describeDatabase(config.databaseUrl), public_url: config.publicUrl },
    `Vouch listening on ${address} (database ${describeDatabase(config.databaseUrl)})`,
  );
}
