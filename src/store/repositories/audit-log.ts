import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { AuditLogTable } from '../schema.ts';

export type AuditRow = AuditLogTable;

// Prepared: ingestion writes an entry for every reward it creates.
const insertRows = prepared((db, rows: AuditRow[]) => db.insertInto('audit_log').values(rows));

export async function insertAuditRows(db: Executor, rows: AuditRow[]): Promise<void> {
  if (rows.length > 0) await insertRows(db, rows);
}

export async function listAuditRows(
  db: Executor,
  filter: { subjectId?: string | undefined },
  page: PageRequest,
): Promise<Page<AuditRow>> {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  return fetchPage(query, page);
}
