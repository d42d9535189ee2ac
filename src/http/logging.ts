import type { FastifyRequest } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';

/**
 * The options of Vouch's request logger. A request is logged by method and path only: the
 * client's address and the query string can identify a person, and logs are kept where personal
 * data must not be.
 */
export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, path: req.url.split('?')[0] }),
    },
    ...(stream ? { stream } : {}),
  };
}
