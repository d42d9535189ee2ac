import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { AppError } from '../lib/errors.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { Store } from '../store/database.ts';
import { outboxBacklog } from '../store/repositories/outbox.ts';
import { sendError } from './error-handler.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Compares digests, so neither the token's length nor its first wrong character shows in timing. */
function sameToken(sent: string, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(sent), digest(token));
}

/** Measures the outbox at scrape time; a failed or slow query is logged and reported as NaN. */
export function watchBacklog(metrics: Metrics, store: Store, log: FastifyBaseLogger): void {
  metrics.watchBacklog(
    () => outboxBacklog(store.db),
    (err) => log.warn({ err }, 'metrics: the outbox query failed; its gauges read NaN'),
  );
}

/**
 * `GET /metrics` on the API port, outside the API document like /health: only with
 * VOUCH_METRICS_TOKEN set, and only for a request bearing it.
 */
export async function metricsRoutes(app: FastifyInstance, opts: { metrics: Metrics; token: string }) {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const sent = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!sent || !sameToken(sent, opts.token)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(
        reply,
        new AppError('invalid_metrics_token', 'GET /metrics needs VOUCH_METRICS_TOKEN as its bearer token.'),
      );
    }
    const { contentType, body } = await opts.metrics.render();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}

/**
 * VOUCH_METRICS_PORT: /metrics without a token on a port of its own, for a network only Prometheus
 * reaches, and for `vouch worker`, which has no HTTP server. Anything else answers 404.
 */
export async function startMetricsServer(
  metrics: Metrics,
  port: number,
  host: string,
  log: FastifyBaseLogger,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('not found: try GET /metrics\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) =>
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      (err: unknown) => {
        log.error({ err }, 'metrics: rendering failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound }, `metrics on http://${host}:${bound}/metrics`);
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
