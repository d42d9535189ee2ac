import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../lib/config.ts';
import { AppError } from '../lib/errors.ts';
import type { Store } from '../store/database.ts';
import { requireSecretKey } from './auth.ts';
import { ClickRecorder, type ClickRecorderOptions } from './click-recorder.ts';
import type { RouteDeps } from './deps.ts';
import { errorHandler, sendError } from './error-handler.ts';
import { eventRoutes } from './routes/events.ts';
import { participantRoutes } from './routes/participants.ts';
import { programRoutes } from './routes/programs.ts';
import { redirectRoutes } from './routes/redirect.ts';
import { referralRoutes } from './routes/referrals.ts';
import { ErrorBody } from './schemas/common.ts';
import { validatorCompiler } from './validators.ts';

export interface AppOptions {
  store: Store;
  config: Config;
  secret: string;
  now?: () => Date;
  logger?: boolean;
  clickRecorder?: ClickRecorderOptions;
}

// Request bodies are small JSON objects; anything larger is a mistake or an attack.
export const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store, config, secret } = options;
  const app = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
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
  app.addSchema(ErrorBody);

  const clicks = new ClickRecorder(store, app.log, options.clickRecorder);
  app.addHook('onClose', () => clicks.close());
  const deps: RouteDeps = { store, config, secret, clicks, now: options.now ?? (() => new Date()) };

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
      components: { securitySchemes: { secretKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ secretKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  await app.register(redirectRoutes, deps);
  await app.register(async (v1) => {
    v1.addHook('onRequest', requireSecretKey(store));
    await v1.register(programRoutes, deps);
    await v1.register(participantRoutes, deps);
    await v1.register(eventRoutes, deps);
    await v1.register(referralRoutes, deps);
  });
  return app;
}
