import type { Compilable, CompiledQuery, DialectAdapter, QueryResult } from 'kysely';
import type { Executor } from './executor.ts';

const MARKER = '\u0000vouch-value:';

/**
 * Where each parameter of a compiled query comes from: a named value (of row `row` when the values
 * are an array of rows, else `row` is -1), or a constant of the query itself.
 */
type Slot = { row: number; name: string } | { constant: unknown };

interface Template {
  query: CompiledQuery;
  slots: Slot[];
}

type Values = Record<string, unknown> | readonly Record<string, unknown>[];

function markers(values: Values): Values {
  const mark = (object: Record<string, unknown>, row: number) =>
    Object.fromEntries(Object.keys(object).map((name) => [name, `${MARKER}${row}:${name}`]));
  return Array.isArray(values) ? values.map(mark) : mark(values as Record<string, unknown>, -1);
}

function slotOf(parameter: unknown): Slot {
  if (typeof parameter !== 'string' || !parameter.includes(MARKER)) return { constant: parameter };
  if (!parameter.startsWith(MARKER)) {
    throw new Error(`prepared query: a value was changed on its way to SQL (${parameter})`);
  }
  const rest = parameter.slice(MARKER.length);
  const colon = rest.indexOf(':');
  return { row: Number(rest.slice(0, colon)), name: rest.slice(colon + 1) };
}

/**
 * A query built and compiled once per database (and per row count, for an array of rows), then run
 * with new values. Kysely builds and compiles every query afresh, which took longer than SQLite
 * took to run the small statements of event ingestion and click batches. `build` is called once,
 * with a marker in place of each value; later calls only swap the parameters. So `build` must hand
 * each value to Kysely as it is (no arithmetic, no branching on it), and every call must pass the
 * same keys. An array must not be empty.
 */
export function prepared<V extends object, O>(
  build: (db: Executor, values: V) => Compilable<O>,
): (db: Executor, values: V) => Promise<QueryResult<O>> {
  // Keyed by the dialect adapter, which a Kysely instance shares with all its transactions; the SQL
  // is reused as is, so this assumes no Kysely plugin rewrites queries (none is installed).
  const templates = new WeakMap<DialectAdapter, Map<number, Template>>();
  return async (db, values) => {
    const adapter = db.getExecutor().adapter;
    let byCount = templates.get(adapter);
    if (!byCount) {
      byCount = new Map();
      templates.set(adapter, byCount);
    }
    const rows = Array.isArray(values) ? (values as Record<string, unknown>[]) : null;
    const count = rows ? rows.length : -1;
    let template = byCount.get(count);
    if (!template) {
      const query = build(db, markers(values as Values) as V).compile();
      template = { query, slots: query.parameters.map(slotOf) };
      byCount.set(count, template);
    }
    const single = values as Record<string, unknown>;
    const parameters = template.slots.map((slot) => {
      if ('constant' in slot) return slot.constant;
      const source = rows ? rows[slot.row] : single;
      return source?.[slot.name] ?? null;
    });
    return db.executeQuery<O>({ ...template.query, parameters });
  };
}
