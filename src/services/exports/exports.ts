import { AppError } from '../../lib/errors.ts';
import { type IdPrefix, idFloor, idTime } from '../../lib/ids.ts';
import type { Executor } from '../../store/executor.ts';
import type { Database } from '../../store/schema.ts';

/** The type a warehouse gives a column. Every column is nullable. */
export type ColumnType = 'STRING' | 'INT64' | 'TIMESTAMP' | 'JSON';

/**
 * What a data warehouse loads, table by table: the columns of each with their types, in a fixed
 * order, read by id. Ids are time-ordered, so the last id read is a cursor that resumes exactly
 * where a load stopped. Times are stored as RFC 3339 text and JSON as text on both dialects; the
 * types say what they mean, for formats that carry types (Parquet).
 */
const EXPORTS = {
  participants: {
    table: 'participants',
    prefix: 'par',
    columns: {
      id: 'STRING',
      program_id: 'STRING',
      external_id: 'STRING',
      email: 'STRING',
      name: 'STRING',
      segment: 'STRING',
      referral_code: 'STRING',
      status: 'STRING',
      created_at: 'TIMESTAMP',
      updated_at: 'TIMESTAMP',
    },
  },
  clicks: {
    table: 'clicks',
    prefix: 'clk',
    columns: {
      id: 'STRING',
      program_id: 'STRING',
      participant_id: 'STRING',
      code: 'STRING',
      occurred_at: 'TIMESTAMP',
      user_agent: 'STRING',
      referer: 'STRING',
      utm_source: 'STRING',
      utm_medium: 'STRING',
      utm_campaign: 'STRING',
      utm_term: 'STRING',
      utm_content: 'STRING',
      device_id: 'STRING',
    },
  },
  events: {
    table: 'events',
    prefix: 'evt',
    columns: {
      id: 'STRING',
      type: 'STRING',
      name: 'STRING',
      external_id: 'STRING',
      program_id: 'STRING',
      customer_external_id: 'STRING',
      amount: 'INT64',
      currency: 'STRING',
      loyalty_points: 'INT64',
      purchase_external_id: 'STRING',
      occurred_at: 'TIMESTAMP',
      received_at: 'TIMESTAMP',
      result: 'JSON',
    },
  },
  referrals: {
    table: 'referrals',
    prefix: 'ref',
    columns: {
      id: 'STRING',
      program_id: 'STRING',
      referrer_id: 'STRING',
      referee_id: 'STRING',
      status: 'STRING',
      rejection_reason: 'STRING',
      attribution_method: 'STRING',
      code: 'STRING',
      click_id: 'STRING',
      signup_event_id: 'STRING',
      qualifying_event_id: 'STRING',
      rules_version: 'INT64',
      unrewarded_reason: 'STRING',
      fraud_outcome: 'STRING',
      fraud_score: 'INT64',
      created_at: 'TIMESTAMP',
      expires_at: 'TIMESTAMP',
      qualified_at: 'TIMESTAMP',
    },
  },
  rewards: {
    table: 'rewards',
    prefix: 'rwd',
    columns: {
      id: 'STRING',
      program_id: 'STRING',
      referral_id: 'STRING',
      participant_id: 'STRING',
      side: 'STRING',
      kind: 'STRING',
      accounting_class: 'STRING',
      amount: 'INT64',
      currency: 'STRING',
      status: 'STRING',
      reversed_amount: 'INT64',
      reversal_reason: 'STRING',
      qualifying_event_id: 'STRING',
      payout_id: 'STRING',
      created_at: 'TIMESTAMP',
      available_at: 'TIMESTAMP',
      approved_at: 'TIMESTAMP',
      issued_at: 'TIMESTAMP',
      redeemed_at: 'TIMESTAMP',
      reversed_at: 'TIMESTAMP',
    },
  },
  ledger_entries: {
    table: 'ledger_entries',
    prefix: 'led',
    columns: {
      id: 'STRING',
      posting_id: 'STRING',
      program_id: 'STRING',
      account: 'STRING',
      participant_id: 'STRING',
      reward_id: 'STRING',
      payout_id: 'STRING',
      currency: 'STRING',
      amount: 'INT64',
      created_at: 'TIMESTAMP',
    },
  },
  webhook_events: {
    table: 'outbox',
    prefix: 'obx',
    columns: { id: 'STRING', topic: 'STRING', payload: 'JSON', created_at: 'TIMESTAMP' },
  },
} as const satisfies Record<
  string,
  { table: keyof Database; prefix: IdPrefix; columns: Record<string, ColumnType> }
>;

export type ExportTable = keyof typeof EXPORTS;
export const EXPORT_TABLES = Object.keys(EXPORTS) as ExportTable[];
/** The column names in their fixed order: the same for every format and the HTTP API. */
export const exportColumns = (table: ExportTable): readonly string[] => Object.keys(EXPORTS[table].columns);
/** The columns with their types, in the same order. */
export const exportColumnTypes = (table: ExportTable): [name: string, type: ColumnType][] =>
  Object.entries(EXPORTS[table].columns);

/**
 * Rows are exported once they are a minute old: a row written by a transaction that commits late
 * (another process, a batch of clicks) then has its place before the cursor, never behind it.
 */
export const SETTLE_MS = 60_000;

export interface ExportPage {
  rows: Record<string, unknown>[];
  /** The id to resume after; the same as the one given when nothing new was settled. */
  cursor: string | null;
  hasMore: boolean;
}

export function checkExportTable(name: string): ExportTable {
  if (!(name in EXPORTS)) {
    throw new AppError('invalid_value', `table must be one of ${EXPORT_TABLES.join(', ')}.`, 'table');
  }
  return name as ExportTable;
}

/** `since` starts at a time instead of a cursor: the ids of that table made from then on. */
export function cursorFrom(
  table: ExportTable,
  after: string | undefined,
  since: Date | undefined,
): string | null {
  if (after !== undefined) {
    if (!after.startsWith(`${EXPORTS[table].prefix}_`)) {
      throw new AppError(
        'invalid_cursor',
        `after must be an id of ${table} (${EXPORTS[table].prefix}_…).`,
        'after',
      );
    }
    return after;
  }
  // The floor of a time sorts before every id made at it, so "after the floor" includes them.
  return since ? idFloor(EXPORTS[table].prefix, since.getTime()) : null;
}

export async function exportPage(
  db: Executor,
  table: ExportTable,
  cursor: string | null,
  limit: number,
  now: Date,
): Promise<ExportPage> {
  const spec = EXPORTS[table];
  const settled = idFloor(spec.prefix, now.getTime() - SETTLE_MS);
  // The table and columns come from the fixed list above, never from the request.
  let query = db
    .selectFrom(spec.table as 'events')
    .select(exportColumns(table) as 'id'[])
    .where('id', '<', settled)
    .orderBy('id')
    .limit(limit + 1);
  if (cursor) query = query.where('id', '>', cursor);
  const rows = (await query.execute()) as Record<string, unknown>[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, cursor: last ? (last.id as string) : cursor, hasMore: rows.length > limit };
}

/** How many rows an export from the cursor would read now: the total of a progress bar. */
export async function countExportable(db: Executor, table: ExportTable, cursor: string | null, now: Date) {
  const spec = EXPORTS[table];
  let query = db
    .selectFrom(spec.table as 'events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('id', '<', idFloor(spec.prefix, now.getTime() - SETTLE_MS));
  if (cursor) query = query.where('id', '>', cursor);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** Rows after the cursor that are not a minute old yet, and the time by which all of them are. */
export async function unsettledRows(
  db: Executor,
  table: ExportTable,
  cursor: string | null,
  now: Date,
): Promise<{ count: number; readyBy: Date | null }> {
  const spec = EXPORTS[table];
  const settled = idFloor(spec.prefix, now.getTime() - SETTLE_MS);
  let query = db
    .selectFrom(spec.table as 'events')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('id').as('last')])
    .where('id', '>=', settled);
  if (cursor) query = query.where('id', '>', cursor);
  const row = await query.executeTakeFirstOrThrow();
  const last = row.last as string | null;
  return { count: Number(row.n), readyBy: last ? new Date(idTime(last) + SETTLE_MS) : null };
}
