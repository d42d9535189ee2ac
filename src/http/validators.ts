import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { validationError } from './error-handler.ts';

/** Times Vouch accepts: from the Unix epoch to the end of year 9999 (RFC 3339 has 4-digit years). */
export const EARLIEST_TIME_MS = 0;
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** RFC 3339 as ajv-formats checks it, and within the years above: year 0000 is no one's sign-up. */
function boundDateTimes(ajv: Ajv): void {
  const rfc3339 = ajv.formats['date-time'] as { validate: (text: string) => boolean };
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (text: string) => {
      if (!rfc3339.validate(text)) return false;
      const ms = Date.parse(text);
      return ms >= EARLIEST_TIME_MS && ms <= LATEST_TIME_MS;
    },
  });
}

// JSON Schema 2020-12, the dialect of OpenAPI 3.1 and of TypeBox: the document says what is checked
// (dependentRequired pairs an order's amount with its currency).
function makeAjv(coerceTypes: boolean): Ajv {
  // Bodies are checked as sent: no coercion ("15" is not 15) and no silent removal of unknown
  // fields. Query strings and path parameters arrive as text, so those are coerced.
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    verbose: true,
    strict: false,
    // A oneOf told apart by one property (an event's type) reports the errors of the variant sent.
    discriminator: true,
    // Strict mode aside, NaN and Infinity are not numbers here (the JSON parser refuses them first).
    strictNumbers: true,
  });
  addFormats.default(ajv);
  boundDateTimes(ajv);
  return ajv;
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

const parsedBodies = makeAjv(false);

/**
 * A check for a body a route parses itself (a signed webhook, read raw for its signature), held to
 * the same rules as every other body: the first violation throws the AppError naming the field.
 */
export function bodyValidator<T extends TSchema>(schema: T): (body: unknown) => Static<T> {
  const check = parsedBodies.compile(schema as object);
  return (body) => {
    if (!check(body)) throw validationError(check.errors ?? [], 'body');
    return body as Static<T>;
  };
}
