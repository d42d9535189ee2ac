import { type ColumnSource, type SchemaElement, schemaFromColumnData } from 'hyparquet-writer';
import type { ColumnType } from '../services/exports/exports.ts';

/**
 * The pure half of `vouch export --format parquet`: typed column values from rows, the file schema,
 * and the names of the part files of a dataset directory.
 */

export type TypedColumns = readonly (readonly [name: string, type: ColumnType])[];

/** Every column is nullable: a later version may add a column that older rows lack. */
export function parquetSchemaFor(columns: TypedColumns): SchemaElement[] {
  return schemaFromColumnData({ columnData: columns.map(([name, type]) => ({ name, type, data: [] })) });
}

/** One row group's column data, converted to what the writer encodes for each type. */
export function toColumnData(
  columns: TypedColumns,
  rows: readonly Record<string, unknown>[],
): ColumnSource[] {
  return columns.map(([name, type]) => ({
    name,
    type,
    data: rows.map((row) => toColumnValue(type, row[name], name)),
  }));
}

/**
 * The value a column of `type` holds, from what either dialect returns: times are RFC 3339 text
 * (a Date if a driver parses them), integers a number or a bigint's decimal text, JSON its text.
 */
export function toColumnValue(type: ColumnType, value: unknown, column = 'value'): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'STRING':
      return String(value);
    case 'INT64':
      return toBigInt(value, column);
    case 'TIMESTAMP':
      return toDate(value, column);
    case 'JSON':
      // The writer serialises the value itself: text would be written as one JSON string.
      return typeof value === 'string' ? parseJson(value, column) : value;
  }
}

function toBigInt(value: unknown, column: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`${column}: ${String(value)} is not an integer`);
}

function toDate(value: unknown, column: string): Date {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`${column}: ${String(value)} is not a time`);
  return date;
}

function parseJson(text: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${column}: stored text is not JSON`);
  }
}

const PART = /^part-(\d+)\.parquet$/;
export const PARTIAL_SUFFIX = '.partial';

/** The part after the highest one in a directory listing: part-00001.parquet, part-00002.parquet, … */
export function nextPartName(names: readonly string[]): string {
  let highest = 0;
  for (const name of names) {
    const match = PART.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return `part-${String(highest + 1).padStart(5, '0')}.parquet`;
}

/** Files a killed run left half-written: never loaded, deleted by the next run. */
export const isPartial = (name: string): boolean => name.endsWith(PARTIAL_SUFFIX);
