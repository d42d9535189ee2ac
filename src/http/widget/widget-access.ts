import type { FastifyReply, FastifyRequest } from 'fastify';
import { isEmbedOrigin } from '../../domain/embed-origins.ts';
import { AppError } from '../../lib/errors.ts';
import { findWidgetGrant, isAnyEmbedOrigin, type WidgetGrant } from '../../services/widget/widget-tokens.ts';
import type { Executor } from '../../store/executor.ts';

// Who may call the share widget's API: a live widget token (Authorization: Bearer), sent from a
// page of one of its program's embed_origins. CORS headers are answered only to those origins, so
// another site's page can neither read an answer nor, the browser's preflight failing, send a write.

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const PREFLIGHT_MAX_AGE_S = 600;

export interface WidgetAccess {
  /** The grant of the request's token, from an allowed origin; else throws 401 or 403. */
  authorize(request: FastifyRequest, reply: FastifyReply): Promise<WidgetGrant>;
  /** Answers a CORS preflight: 204 with the CORS headers for an embed origin, 403 without them otherwise. */
  preflight(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  /** The token as sent, for the iframe page, which takes it in its URL. */
  grantOf(token: string): Promise<WidgetGrant | undefined>;
}

function allowOrigin(reply: FastifyReply, origin: string) {
  reply.header('access-control-allow-origin', origin);
}

const refused = (origin: string) =>
  new AppError('origin_not_allowed', `${origin} is not among the program's embed_origins.`);

export function widgetAccess(db: Executor, now: () => Date, vouchOrigin: string): WidgetAccess {
  const grantOf = (token: string) => findWidgetGrant(db, token, now());

  async function authorize(request: FastifyRequest, reply: FastifyReply): Promise<WidgetGrant> {
    // Whichever origin asks, the answer depends on it: no cache may hand one origin's to another.
    reply.header('vary', 'origin');
    const origin = request.headers.origin;
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const grant = token ? await grantOf(token) : undefined;
    if (!grant) {
      // Readable by a page some program allows, so its widget can tell an expired token apart.
      if (origin && (await isAnyEmbedOrigin(db, origin))) allowOrigin(reply, origin);
      throw new AppError(
        'invalid_widget_token',
        'Send a live widget token (from POST /v1/portal_sessions) as Authorization: Bearer <token>.',
      );
    }
    // No Origin: not a cross-origin browser request (a server, or Vouch's own iframe page's GET).
    if (origin === undefined || origin === vouchOrigin) return grant;
    if (!isEmbedOrigin(grant.embedOrigins, origin)) throw refused(origin);
    allowOrigin(reply, origin);
    return grant;
  }

  async function preflight(request: FastifyRequest, reply: FastifyReply) {
    reply.header('vary', 'origin');
    const origin = request.headers.origin;
    if (!origin || !(await isAnyEmbedOrigin(db, origin))) throw refused(origin ?? 'A request without Origin');
    allowOrigin(reply, origin);
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'authorization, content-type')
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S))
      .send();
  }

  return { authorize, preflight, grantOf };
}
