import { newId } from '../lib/ids.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../store/executor.ts';
import { type AuditRow, insertAuditRows, listAuditRows } from '../store/repositories/audit-log.ts';

export type { AuditRow };

/** Who did something: an API key's id (`key_…`), or `system:<job>` / `cli:<command>`. */
export type Actor = string;

export const MATURATION: Actor = 'system:reward-maturation';

export interface AuditEntry {
  action: string;
  subjectId: string;
  details?: Record<string, unknown>;
}

/** Records entries in the caller's transaction: the change and its audit commit together. */
export async function audit(
  db: InTransaction,
  actor: Actor,
  now: Date,
  entries: AuditEntry[],
): Promise<void> {
  const at = now.toISOString();
  await insertAuditRows(
    db,
    entries.map((e) => ({
      id: newId('aud'),
      occurred_at: at,
      actor,
      action: e.action,
      subject_id: e.subjectId,
      details: JSON.stringify(e.details ?? {}),
    })),
  );
}

export function listAudit(
  db: Executor,
  filter: { subjectId?: string | undefined },
  page: PageRequest,
): Promise<Page<AuditRow>> {
  return listAuditRows(db, filter, page);
}
