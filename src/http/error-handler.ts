import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, errorType } from '../lib/errors.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** The error code this reply answers with, for the metrics; null for a success. */
    errorCode: ErrorCode | null;
  }
}

const KEYWORD_CODES: Record<string, ErrorCode> = {
  required: 'missing_field',
  type: 'invalid_type',
  format: 'invalid_format',
  pattern: 'invalid_format',
  enum: 'invalid_value',
  const: 'invalid_value',
  anyOf: 'invalid_value',
  minLength: 'invalid_length',
  maxLength: 'invalid_length',
  minimum: 'value_too_small',
  maximum: 'value_too_large',
  additionalProperties: 'unknown_field',
};

/** The property an object-level error is about: the one missing, unknown, or telling the type apart. */
function childOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
      return params.missingProperty as string;
    case 'additionalProperties':
      return params.additionalProperty as string;
    case 'discriminator':
      return params.tag as string;
    default:
      return '';
  }
}

function fieldPath(error: ErrorObject): string {
  const base = error.instancePath.split('/').filter(Boolean).join('.');
  const child = childOf(error);
  return [base, child].filter(Boolean).join('.');
}

/** Turns the first schema violation into an AppError naming the field. */
export function validationError(errors: ErrorObject[], context: string | undefined): AppError {
  const error = errors[0];
  if (!error) return new AppError('invalid_value', 'The request is invalid.');
  const param = fieldPath(error);
  const name = param || (context === 'body' ? 'body' : context) || 'request';
  if (param.endsWith('amount') && error.keyword === 'type' && typeof error.data === 'number') {
    return new AppError('amount_not_integer', `${name} must be an integer in minor units.`, param);
  }
  if (
    param.endsWith('amount') &&
    error.keyword === 'minimum' &&
    typeof error.data === 'number' &&
    error.data < 0
  ) {
    return new AppError('amount_negative', `${name} must not be negative.`, param);
  }
  if (error.keyword === 'required') return new AppError('missing_field', `${name} is required.`, param);
  if (error.keyword === 'dependentRequired') {
    const { property } = error.params as { property: string };
    return new AppError('missing_field', `${name} is required with ${property}.`, param);
  }
  if (error.keyword === 'discriminator') {
    // The tag of a union (an event's type): absent, or not one of the types it tells apart.
    const { tagValue } = error.params as { tagValue: unknown };
    if (tagValue === undefined) return new AppError('missing_field', `${name} is required.`, param);
    return new AppError('invalid_value', `${name} has a value that is not allowed.`, param);
  }
  if (error.keyword === 'not') {
    // A field that another variant of the body takes (a refund's purchase_external_id on a sign-up).
    const why = (error.parentSchema as { description?: string } | undefined)?.description;
    return new AppError('invalid_value', why ?? `${name} is not allowed here.`, param);
  }
  if (error.keyword === 'additionalProperties') {
    return new AppError('unknown_field', `${name} is not a known field.`, param);
  }
  if (error.keyword === 'format' && (error.params as { format?: string }).format === 'date-time') {
    return new AppError(
      'invalid_format',
      `${name} must be an RFC 3339 date-time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z.`,
      param || undefined,
    );
  }
  if (error.keyword === 'const' || error.keyword === 'anyOf') {
    return new AppError('invalid_value', `${name} has a value that is not allowed.`, param || undefined);
  }
  return new AppError(
    KEYWORD_CODES[error.keyword] ?? 'invalid_value',
    `${name} ${error.message}.`,
    param || undefined,
  );
}

function toAppError(error: FastifyError): AppError | null {
  if (error instanceof AppError) return error;
  if (error.validation) return validationError(error.validation as ErrorObject[], error.validationContext);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('body_too_large', 'The request body is larger than the limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send JSON with Content-Type: application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'The body is empty; send a JSON object.');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('invalid_json', 'The body is not valid JSON.');
  }
  return null;
}

/** The documented error shape: `{"error": {type, code, message, param?, request_id?}}`. */
export function errorBody(error: AppError, requestId?: string) {
  return {
    error: {
      type: errorType(error.code),
      code: error.code,
      message: error.message,
      ...(error.param ? { param: error.param } : {}),
      ...(requestId ? { request_id: requestId } : {}),
    },
  };
}

export function sendError(reply: FastifyReply, error: AppError, requestId?: string) {
  // A lost database connection is reopened on the next request: the client may retry at once.
  if (error.status === 503) reply.header('retry-after', '1');
  reply.errorCode = error.code;
  return reply.code(error.status).send(errorBody(error, requestId));
}

/** Every error leaves in the documented shape; unknown ones as a bare 500 with the request id. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = toAppError(error);
  if (known) return sendError(reply, known);
  request.log.error({ err: error }, 'unhandled error');
  return sendError(
    reply,
    new AppError(
      'internal_error',
      'Something went wrong on our side; quote the request id when reporting it.',
    ),
    request.id,
  );
}
