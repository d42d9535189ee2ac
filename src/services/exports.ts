import { AppError } from '../lib/errors.ts';
import { type IdPrefix, idFloor } from '../lib/ids.ts';
import type { Executor } from '../store/executor.ts';
import type { Database } from '../store/schema.ts';

/**
 * What a data warehouse loads, table by table: the columns of each, in a fixed order, read by id.
 * Ids are time-ordered, so the last id read is a cursor that resumes exactly where a load stopped.
 */
const EXPORTS = {
  participants: {
    table: 'participants',
    prefix: 'par',
    columns: [
      'id',
      'program_id',
      'external_id',
      'email',
      'name',
      'segment',
      'referral_code',
      'status',
      'created_at',
      'updated_at',
    ],
  },
  clicks: {
    table: 'clicks',
    prefix: 'clk',
    columns: [
      'id',
      'program_id',
      'participant_id',
      'code',
      'occurred_at',
      'user_agent',
      'referer',
      'utm_source',
      'utm_medium',
      'utm_campaign',
      'utm_term',
      'utm_content',
      'device_id',
    ],
  },
  events: {
    table: 'events',
    prefix: 'evt',
    columns: [
      'id',
      'type',
      'name',
      'external_id',
      'program_id',
      'customer_external_id',
      'customer_email',
      'amount',
      'currency',
      'loyalty_points',
      'purchase_external_id',
      'occurred_at',
      'received_at',
      'result',
    ],
  },
  referrals: {
    table: 'referrals',
    prefix: 'ref',
    columns: [
      'id',
      'program_id',
      'referrer_id',
      'referee_id',
      'status',
      'rejection_reason',
      'attribution_method',
      'code',
      'click_id',
      'signup_event_id',
      'qualifying_event_id',
      'rules_version',
      'unrewarded_reason',
      'fraud_outcome',
      'fraud_score',
      'created_at',
      'expires_at',
      'qualified_at',
    ],
  },
  rewards: {
    table: 'rewards',
    prefix: 'rwd',
    columns: [
      'id',
      'program_id',
      'referral_id',
      'participant_id',
      'side',
      'kind',
      'accounting_class',
      'amount',
      'currency',
      'status',
      'reversed_amount',
      'reversal_reason',
      'qualifying_event_id',
      'payout_id',
      'created_at',
      'available_at',
      'approved_at',
      'issued_at',
      'redeemed_at',
      'reversed_at',
    ],
  },
  ledger_entries: {
    table: 'ledger_entries',
    prefix: 'led',
    columns: [
      'id',
      'posting_id',
      'program_id',
      'account',
      'participant_id',
      'reward_id',
      'payout_id',
      'currency',
      'amount',
      'created_at',
    ],
  },
  webhook_events: {
    table: 'outbox',
    prefix: 'obx',
    columns: ['id', 'topic', 'payload', 'created_at'],
  },
} as const satisfies Record<string, { table: keyof Database; prefix: IdPrefix; columns: readonly string[] }>;

export type ExportTable = keyof typeof EXPORTS;
export const EXPORT_TABLES = Object.keys(EXPORTS) as ExportTable[];
export const exportColumns = (table: ExportTable): readonly string[] => EXPORTS[table].columns;

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
    .select(spec.columns as unknown as 'id'[])
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
