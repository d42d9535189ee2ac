import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram } from '../../support/factories.ts';
import { countRows } from '../../support/tables.ts';

// Every write route of /v1, fed bodies generated from its own request schema in which any value
// may be hostile (an overflowing number, a NUL, a lone surrogate, a year 0, the wrong type, a
// stray field): the answer is never a 5xx, an error is in the documented shape (the harness checks
// every answer against /openapi.json), and a request answered with an error leaves every table as
// it was. Runs on both databases, with fast-check's shrinking naming the smallest failing body.

const RUNS_PER_ROUTE = 20;

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  items?: Schema;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
}

/** Written into the JSON text as is: JSON.stringify cannot produce these tokens. */
const raw = (token: string) => `@@raw(${token})@@`;
const inlineRaw = (text: string) => text.replace(/"@@raw\(([^)]*)\)@@"/g, '$1');

/** Any JSON, without the `__proto__` keys fast-check favours (refused before validation, as invalid JSON). */
const json = fc.jsonValue({ maxDepth: 2 }).filter((value) => !JSON.stringify(value).includes('"__proto__"'));

const hostile: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  raw('1e400'),
  raw('-1e400'),
  raw('9223372036854775808'),
  raw('9007199254740993'),
  raw('-0'),
  raw('1.5'),
  '\ud800',
  'NaN',
  '',
  '\u0000',
  'a\u0000b',
  'x'.repeat(5000),
  '0000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '../../etc/passwd',
  "'; DROP TABLE events; --",
  'ü🎉',
  -1,
  0,
  2 ** 31,
  null,
  true,
  [],
  {},
  { nested: { nested: { nested: [null] } } },
);

/** Values shaped like `schema`, each of which may be replaced by a hostile one. */
function shaped(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 20, arbitrary: wellTyped(schema, depth) }, { weight: 1, arbitrary: hostile });
}

function wellTyped(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => shaped(option, depth)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object':
      return depth > 4 ? fc.constant({}) : objectOf(schema, depth);
    case 'array':
      return fc.array(schema.items ? shaped(schema.items, depth + 1) : json, {
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringOf(schema);
    default:
      return json;
  }
}

function objectOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, field]) =>
    fc
      .tuple(fc.double({ min: 0, max: 1, noNaN: true }), shaped(field, depth + 1))
      .map(([roll, value]) => [name, value, roll < (required.has(name) ? 0.95 : 0.3)] as const),
  );
  // Now and then a field the schema does not have (or one named like an object's own properties).
  const stray = fc.oneof(
    { weight: 15, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('extra', '__proto__', 'constructor'), json) },
  );
  return fc.tuple(fc.tuple(...fields), stray).map(([chosen, extra]) => {
    const body: Record<string, unknown> = {};
    for (const [name, value, present] of chosen) if (present) body[name] = value;
    if (extra) Object.defineProperty(body, extra[0], { value: extra[1], enumerable: true });
    return body;
  });
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uri') return fc.webUrl();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

interface Operation {
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body: Schema | undefined;
}

let t: TestApp;
let operations: Operation[];
/** Ids that exist, by the collection in a path, so that some requests get past the lookup. */
const existing: Record<string, string> = {};
beforeAll(async () => {
  t = await createTestApp();
  const program = await makeProgram(t);
  existing.programs = program.id;
  existing.participants = (await makeParticipant(t, program.id)).id;
  const endpoint = await t.api('POST', '/v1/webhook_endpoints', {
    url: 'https://hooks.example.com/vouch',
    events: ['*'],
  });
  existing.webhook_endpoints = endpoint.body.id;
  const pool = await t.api('POST', '/v1/reward_pools', {
    program_id: program.id,
    kind: 'coupon',
    name: 'Spring coupons',
  });
  existing.reward_pools = pool.body.id;
  await t.app.ready();
  const document = t.app.swagger() as { paths: Record<string, Record<string, any>> };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['post', 'patch', 'delete'].includes(method) && path.startsWith('/v1/'))
      .map(([method, operation]) => ({
        method: method.toUpperCase() as Operation['method'],
        path,
        body: operation.requestBody?.content?.['application/json']?.schema,
      })),
  );
});
afterAll(() => t.close());

const idFor = (path: string) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(existing[path.split('/')[2] ?? ''] ?? 'rwd_missing') },
    { weight: 1, arbitrary: fc.constantFrom('x_missing', '%00', 'a%20b') },
  );

function bodyFor(operation: Operation): fc.Arbitrary<string> {
  const value = operation.body
    ? fc.oneof({ weight: 6, arbitrary: wellTyped(operation.body, 0) }, { weight: 1, arbitrary: hostile })
    : fc.oneof(fc.constant({}), json);
  return value.map((v) => inlineRaw(JSON.stringify(v)));
}

describe('random malformed bodies on every write route', () => {
  it('finds the write routes in the document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  it('never answers 5xx, and writes nothing when it answers an error', async () => {
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(idFor(operation.path), bodyFor(operation), async (id, text) => {
          const url = operation.path.replace('{id}', id);
          const before = await countRows(t.store.db);
          const res = await t.api(operation.method, url, text, { 'content-type': 'application/json' });
          const where = `${operation.method} ${url} ${text.slice(0, 300)}`;
          expect(res.status, `${where} → ${res.raw.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body?.error?.code, where).toEqual(expect.any(String));
            expect(await countRows(t.store.db), where).toEqual(before);
          }
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
  });
});
