import type { Compilable, CompiledQuery, DialectAdapter, QueryResult } from 'kysely';
import type { Executor } from './executor.ts';

const MARKER = '\u0000vouch-value:';

/** Where each parameter of a compiled query comes from: a named value, or a constant of the query. */
type Slot = { name: string } | { constant: unknown };

interface Template {
  query: CompiledQuery;
  slots: Slot[];
}

function compileTemplate<V extends object>(
  db: Executor,
  values: V,
  build: (db: Executor, values: V) => Compilable<unknown>,
): Template {
  const markers = Object.fromEntries(Object.keys(values).map((name) => [name, MARKER + name])) as V;
  const query = build(db, markers).compile();
  const slots = query.parameters.map((parameter): Slot => {
    if (typeof parameter === 'string' && parameter.startsWith(MARKER)) {
      return { name: parameter.slice(MARKER.length) };
    }
    if (typeof parameter === 'string' && parameter.includes(MARKER)) {
      throw new Error(`prepared query: a value was changed on its way to SQL (${parameter})`);
    }
    return { constant: parameter };
  });
  return { query, slots };
}

/**
 * A query built and compiled once per database, then run with new values. Kysely builds and
 * compiles every query afresh, which took longer than SQLite took to run the small statements of
 * event ingestion. `build` is called once, with a marker in place of each value; later calls only
 * swap the parameters. So `build` must hand each value to Kysely as it is (no arithmetic, no
 * branching on it), and every call must pass the same keys.
 */
export function prepared<V extends object, O>(
  build: (db: Executor, values: V) => Compilable<O>,
): (db: Executor, values: V) => Promise<QueryResult<O>> {
  // Keyed by the dialect adapter, which a Kysely instance shares with all its transactions; the SQL
  // is reused as is, so this assumes no Kysely plugin rewrites queries (none is installed).
  const templates = new WeakMap<DialectAdapter, Template>();
  return async (db, values) => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      template = compileTemplate(db, values, build);
      templates.set(adapter, template);
    }
    const named = values as Record<string, unknown>;
    const parameters = template.slots.map((slot) =>
      'name' in slot ? (named[slot.name] ?? null) : slot.constant,
    );
    return db.executeQuery<O>({ ...template.query, parameters });
  };
}
