import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.ts';

/**
 * The rules every value of a request meets before any route sees it, the same on SQLite and
 * PostgreSQL: numbers finite and exact, text without NUL or unpaired surrogates, bodies in UTF-8
 * and not absurdly nested. Checked here, once, not per field, so a new field is covered too.
 */

/** Deeper than any body Vouch reads (a program's rules go 5 levels down). */
export const MAX_BODY_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as sent, or null: PostgreSQL refuses NUL, UTF-8 has no lone surrogates. */
function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate';
  return null;
}

function checkText(text: string, name: string, param: string | undefined): void {
  const problem = textProblem(text);
  if (problem) throw new AppError('invalid_character', `${name} ${problem}, which is not allowed.`, param);
}

const describe = (path: string) => path || 'The body';

/**
 * Walks a parsed body without recursion (a 64 KiB body can nest thousands deep), refusing what
 * no field may hold. -0 becomes 0, which is what both databases would store.
 */
export function checkJsonValue(root: unknown): unknown {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as (typeof stack)[number];
    if (typeof value === 'string') checkText(value, describe(path), path || undefined);
    if (typeof value === 'number' && !(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      // 1e400 parses to Infinity; 9223372036854775808 to a neighbour of itself. Neither is what was sent.
      throw new AppError(
        'number_out_of_range',
        `${describe(path)} is out of range: numbers must lie within ±${Number.MAX_SAFE_INTEGER}.`,
        path || undefined,
      );
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw new AppError('invalid_json', `The body is nested deeper than ${MAX_BODY_DEPTH} levels.`);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = path ? `${path}.${key}` : key;
      checkText(key, `The field name ${JSON.stringify(key)}`, child);
      if (Object.is(record[key], -0)) record[key] = 0;
      stack.push({ value: record[key], path: child, depth: depth + 1 });
    }
  }
  return root;
}

/** Refuses a charset other than UTF-8: a body in UTF-16 read as UTF-8 is another body. */
function checkCharset(contentType: string | undefined): void {
  const charset = contentType?.match(CHARSET)?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return;
  throw new AppError(
    'unsupported_media_type',
    `Send JSON in UTF-8 (Content-Type: application/json; charset=utf-8), not ${charset || 'an empty charset'}.`,
  );
}

/** Path parameters and query strings follow the same text rules as bodies. */
async function checkUrlText(request: FastifyRequest): Promise<void> {
  for (const [where, values] of [
    ['params', request.params],
    ['query', request.query],
  ] as const) {
    if (values === null || typeof values !== 'object') continue;
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      checkText(name, `The ${where === 'params' ? 'path' : 'query'} parameter name`, name);
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') checkText(item, name, name);
      }
    }
  }
}

/**
 * Installs the JSON body parser and the URL check on a scope (the `/v1` API). Fastify's own parser
 * stays underneath, so `__proto__` and `constructor.prototype` keys are still refused.
 */
export function strictJsonInput(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      checkCharset(request.headers['content-type']);
      text = utf8.decode(body as Buffer);
    } catch (error) {
      done(error instanceof AppError ? error : new AppError('invalid_json', 'The body is not valid UTF-8.'));
      return;
    }
    parseJson(request, text, (error: Error | null, parsed?: unknown) => {
      if (error) return done(error);
      try {
        done(null, checkJsonValue(parsed));
      } catch (invalid) {
        done(invalid as Error);
      }
    });
  });
  scope.addHook('preValidation', checkUrlText);
}
