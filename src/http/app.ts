import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import proxyAddr from '@fastify/proxy-addr';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from '../lib/config.ts';
import { AppError } from '../lib/errors.ts';
import { createMetrics, type Metrics, REDIRECT_ROUTE } from '../lib/metrics.ts';
import { createScreening } from '../services/fraud/screening.ts';
import type { Store } from '../store/database.ts';
import { requireSecretKey } from './auth.ts';
import { documentCommonResponses, documentRateLimited } from './common-responses.ts';
import type { RouteDeps } from './deps.ts';
import { ClickRecorder, type ClickRecorderOptions } from './edge/click-recorder.ts';
import { createRedirect, parseLink, type Redirect } from './edge/link-redirect.ts';
import { errorHandler, sendError } from './error-handler.ts';
import { healthRoutes } from './health.ts';
import { strictJsonInput } from './json-body.ts';
import { loggerOptions } from './logging.ts';
import { metricsRoutes, watchBacklog } from './metrics.ts';
import { limitApi, limitApiKey } from './rate-limit-hooks.ts';
import { createLimiters } from './rate-limiter.ts';
import { declareRouteAccess, requireRouteAccess } from './route-access.ts';
import { auditRoutes } from './routes/audit.ts';
import { eventRoutes } from './routes/events.ts';
import { exportRoutes } from './routes/exports.ts';
import { fulfilmentRoutes } from './routes/fulfilment.ts';
import { inviteRoutes } from './routes/invites.ts';
import { participantRoutes } from './routes/participants.ts';
import { payoutRoutes } from './routes/payouts.ts';
import { portalRoutes } from './routes/portal.ts';
import { portalSessionRoutes } from './routes/portal-sessions.ts';
import { programRoutes } from './routes/programs.ts';
import { redirectRoutes } from './routes/redirect.ts';
import { referralRoutes } from './routes/referrals.ts';
import { reviewRoutes } from './routes/reviews.ts';
import { rewardRoutes } from './routes/rewards.ts';
import { shareRoutes } from './routes/share.ts';
import { shareKitRoutes } from './routes/share-kit.ts';
import { shopifyRoutes } from './routes/shopify.ts';
import { stripeRoutes } from './routes/stripe.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { widgetRoutes } from './routes/widget.ts';
import { widgetFrameRoutes } from './routes/widget-frame.ts';
import { ErrorBody } from './schemas/common.ts';
import { webhookCatalogue } from './schemas/webhook-events.ts';
import { validatorCompiler } from './validators.ts';
import { widgetAccess } from './widget/widget-access.ts';

export interface AppOptions {
  store: Store;
  config: Config;
  secret: string;
  now?: () => Date;
  logger?: boolean;
  /** Where logs go instead of stdout as JSON (a terminal's pretty printer). */
  logStream?: DestinationStream;
  clickRecorder?: ClickRecorderOptions;
  /** The registry /metrics reports; the CLI shares it with the in-process worker. */
  metrics?: Metrics;
  /**
   * Routes added to the /v1 scope after Vouch's own, under the same checks and declarations. The
   * tests register a publishable route with it, until the referrer portal brings the first one.
   */
  extraV1Routes?: FastifyPluginAsync;
}

// Request bodies are small JSON objects; anything larger is a mistake or an attack.
export const BODY_LIMIT_BYTES = 64 * 1024;

const SERVER_TIMEOUTS = {
  // Longer than the 60 s idle timeout of common load balancers, so they close idle connections first.
  keepAliveTimeout: 72_000,
  // A client that takes longer than this to send its request is cut off (slowloris).
  requestTimeout: 30_000,
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store, config, secret } = options;
  // Set once the routes are registered; the server only starts listening after that.
  let redirect: Redirect | undefined;
  // The visitor's address as Fastify's request.ip gives it, for requests that bypass Fastify.
  const clientIp = (req: IncomingMessage) =>
    (config.trustProxy ? proxyAddr(req, () => true) : req.socket.remoteAddress) ?? '';
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(config.logLevel, options.logStream),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    ...SERVER_TIMEOUTS,
    // Answered below in Vouch's error shape (shutting_down) instead of Fastify's own.
    return503OnClosing: false,
    // A path that is not percent-encoded UTF-8 (`%ED%A0%80`, a lone `%`) fails in the router, which
    // would answer in Fastify's own shape. A referral link answers as its fast path does (the
    // unknown-code page); anything else in the documented error shape.
    frameworkErrors: (error, request, reply) => {
      if (error.code !== 'FST_ERR_BAD_URL') return errorHandler(error, request, reply);
      if (redirect && parseLink(request.url)) {
        reply.hijack();
        return redirect(request.raw, reply.raw, request.ip);
      }
      return sendError(reply, new AppError('invalid_format', 'The URL is not valid percent-encoded UTF-8.'));
    },
    // Referral links are answered before Fastify's routing (see edge/link-redirect.ts); everything else,
    // including malformed links, goes through Fastify.
    serverFactory: (handler) => {
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const link = req.method === 'GET' || req.method === 'HEAD' ? parseLink(req.url ?? '') : null;
        if (redirect && link) redirect(req, res, clientIp(req), link);
        else handler(req, res);
      });
      // Fastify sets these on a server it creates itself; on this one, we do.
      server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeout;
      server.requestTimeout = SERVER_TIMEOUTS.requestTimeout;
      return server;
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());
  // The API reads JSON only. Fastify also parses text/plain by default, which turned a text body
  // into a string that failed validation as a 400 instead of the documented 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
  app.decorateRequest('apiKey', null);
  app.decorateReply('errorCode', null);
  const metrics = options.metrics ?? createMetrics();
  // By route pattern, never the URL. Referral links count themselves (edge/link-redirect.ts), on the fast
  // path as through inject; a request no route matched is one `(unmatched)` route.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    if (route !== REDIRECT_ROUTE) {
      metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
  });
  // A request arriving on a kept-alive connection while the server drains: refused at once,
  // before any work, so the client retries on another instance (Fastify already sets Connection: close).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing)
      return sendError(reply, new AppError('shutting_down', 'The server is shutting down; retry.'));
  });
  app.addSchema(ErrorBody);
  // Before any route, so that each one's document lists the errors every route answers.
  app.addHook('onRoute', documentCommonResponses);

  const clicks = new ClickRecorder(store, app.log, {
    durable: config.clickWrites === 'durable',
    ...options.clickRecorder,
  });
  app.addHook('onClose', () => clicks.close());
  metrics.watchClicks(() => clicks);
  watchBacklog(metrics, store, app.log);
  store.countDatabaseErrors((kind) => metrics.databaseError(kind));
  const screening = createScreening(secret, config.disposableDomainsFile);
  const deps: RouteDeps = {
    store,
    config,
    secret,
    clicks,
    screening,
    now: options.now ?? (() => new Date()),
    metrics,
  };

  await app.register(cookie, { secret });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vouch API',
        version: '1.0.0',
        description: 'Referral programs: participants, links, events, referrals and rewards.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          secretKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'A secret key (sk_…); each route names the scope it needs in x-required-scope.',
          },
          widgetToken: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A widget token (wgt_…) from POST /v1/portal_sessions: the share widget’s routes under /w/v1 only.',
          },
          publishableKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'A publishable key (pk_…), safe in browser code; only routes marked x-publishable.',
          },
        },
      },
      security: [{ secretKey: [] }],
      webhooks: webhookCatalogue(),
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { store, now: deps.now });
  // Unset, there is no /metrics here: it answers 404 like any unknown path, so nothing leaks.
  if (config.metricsToken) await app.register(metricsRoutes, { metrics, token: config.metricsToken });
  const cookies = {
    secure: config.publicUrl.startsWith('https:'),
    domain: config.cookieDomain,
    serialize: app.serializeCookie,
  };
  const limiters = createLimiters(config.rateLimits, store, secret, app.log);
  const answer = createRedirect({
    ...deps,
    log: app.log,
    cookies,
    signCookie: app.signCookie,
    limit: limiters.links,
    tally: metrics.redirects,
  });
  await app.register(redirectRoutes, { redirect: answer });
  await app.register(shareRoutes, deps);
  await app.register(portalRoutes, { ...deps, limiters });
  const access = widgetAccess(store.db, deps.now, new URL(config.publicUrl).origin);
  await app.register(widgetRoutes, { ...deps, access });
  await app.register(widgetFrameRoutes, { ...deps, access });
  await app.register(async (v1) => {
    v1.addHook('onRoute', documentRateLimited);
    // Every route names the scope it needs; one that does not stops buildApp here.
    v1.addHook('onRoute', declareRouteAccess);
    limitApi(v1, limiters);
    v1.addHook('onRequest', requireSecretKey(store));
    limitApiKey(v1, limiters);
    // After the key's rate limit, so a key refused for its scope still counts its requests.
    requireRouteAccess(v1);
    // The webhook routes of Stripe and Shopify read their raw bodies themselves, outside this scope.
    strictJsonInput(v1);
    await v1.register(programRoutes, deps);
    await v1.register(participantRoutes, deps);
    await v1.register(eventRoutes, deps);
    await v1.register(referralRoutes, deps);
    await v1.register(rewardRoutes, deps);
    await v1.register(payoutRoutes, deps);
    await v1.register(auditRoutes, deps);
    await v1.register(inviteRoutes, deps);
    await v1.register(portalSessionRoutes, deps);
    await v1.register(shareKitRoutes, deps);
    await v1.register(reviewRoutes, deps);
    await v1.register(fulfilmentRoutes, deps);
    await v1.register(webhookRoutes, deps);
    await v1.register(exportRoutes, deps);
    if (options.extraV1Routes) await v1.register(options.extraV1Routes);
  });
  if (config.stripeWebhookSecret) {
    await app.register(stripeRoutes, { ...deps, webhookSecret: config.stripeWebhookSecret });
  }
  if (config.shopifyWebhookSecret) {
    await app.register(shopifyRoutes, { ...deps, webhookSecret: config.shopifyWebhookSecret });
  }
  redirect = answer;
  return app;
}
