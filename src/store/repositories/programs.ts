import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import type { ProgramRulesTable, ProgramsTable } from '../schema.ts';

export type ProgramRow = ProgramsTable;

export async function insertProgram(db: Executor, row: ProgramRow): Promise<void> {
  await db.insertInto('programs').values(row).execute();
}

export async function findProgram(db: Executor, id: string): Promise<ProgramRow | undefined> {
  return db.selectFrom('programs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateProgramRow(
  db: Executor,
  id: string,
  changes: Partial<ProgramRow>,
): Promise<void> {
  await db.updateTable('programs').set(changes).where('id', '=', id).execute();
}

export async function listProgramRows(db: Executor, page: PageRequest): Promise<Page<ProgramRow>> {
  return fetchPage(db.selectFrom('programs').selectAll(), page);
}

export async function insertProgramRules(db: Executor, row: ProgramRulesTable): Promise<void> {
  await db.insertInto('program_rules').values(row).execute();
}
