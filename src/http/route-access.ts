import type { FastifyContextConfig, FastifyInstance, RouteOptions } from 'fastify';
import { decideAccess, isScope, type RouteAccess, SCOPES, type Scope } from '../domain/api-key-scopes.ts';
import { AppError } from '../lib/errors.ts';
import { addResponses } from './common-responses.ts';
import { errorResponses } from './schemas/common.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a secret key needs to call the route; every /v1 route names one. */
    scope?: Scope;
    /** A publishable key (browser code) may call the route too. */
    publishable?: boolean;
  }
}

function accessOf(config: FastifyContextConfig | undefined): RouteAccess | undefined {
  if (!config?.scope || !isScope(config.scope)) return undefined;
  return { scope: config.scope, publishable: config.publishable === true };
}

function describeAccess({ scope, publishable }: RouteAccess): string {
  const needs =
    scope === 'admin'
      ? 'Needs a secret key with the `admin` scope.'
      : `Needs a secret key with the \`${scope}\` scope (or \`admin\`).`;
  return publishable ? `${needs} A publishable key may call it too.` : needs;
}

/**
 * An onRoute hook of the /v1 scope: a route that names no known scope throws, so buildApp
 * refuses to start rather than serve a route whose access nobody decided. Each route's document
 * gets the 403 every one of them can answer, its scope as `x-required-scope` and in words.
 */
export function declareRouteAccess(route: RouteOptions): void {
  const access = accessOf(route.config);
  if (!access) {
    throw new Error(
      `${route.method} ${route.url} declares no scope: give it config: { scope: ${SCOPES.map((s) => `'${s}'`).join(' | ')} }.`,
    );
  }
  const schema = route.schema as Record<string, unknown> & { response?: Record<string, unknown> };
  // Fastify runs onRoute again for the HEAD twin of a GET, on the same schema object.
  if (!schema?.response || schema['x-required-scope']) return;
  const description = typeof schema.description === 'string' ? `${schema.description}\n\n` : '';
  schema.description = `${description}${describeAccess(access)}`;
  schema['x-required-scope'] = access.scope;
  if (access.publishable) {
    schema['x-publishable'] = true;
    schema.security = [{ secretKey: [] }, { publishableKey: [] }];
  }
  addResponses(schema, errorResponses(403));
}

/** After authentication: a key without the route's scope, or a publishable key off its routes, is 403. */
export function requireRouteAccess(v1: FastifyInstance): void {
  v1.addHook('onRequest', async (request) => {
    const key = request.apiKey;
    if (!key) throw new Error('requireRouteAccess runs after requireSecretKey');
    // Fails closed: a route without a declaration cannot be registered, but if one were, only admin passes.
    const route = accessOf(request.routeOptions.config) ?? { scope: 'admin', publishable: false };
    const decision = decideAccess(key, route);
    if (!decision.allowed) throw new AppError(decision.code, decision.message);
  });
}
