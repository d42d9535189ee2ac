import type { FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.ts';

/**
 * For actions that take no input (approve, confirm, cancel): no body, or `{}`. Anything else is
 * refused rather than ignored, as unknown fields are everywhere else; a schema cannot say this,
 * since Fastify validates a missing body as `undefined`.
 */
export async function refuseBody(request: FastifyRequest): Promise<void> {
  const { body } = request;
  if (body === undefined) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_type', 'This action takes no body, or {}.');
  }
  const [field] = Object.keys(body);
  if (field !== undefined) {
    throw new AppError('unknown_field', `${field} is not a known field: this action takes no body.`, field);
  }
}

/** For actions whose body is optional (all its fields are): no body reads as `{}`, then validates. */
export async function bodyOrEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
