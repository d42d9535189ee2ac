import type { Executor } from '../../store/executor.ts';
import { journalPage } from '../../store/repositories/ledger.ts';
import { getProgram } from '../programs/programs.ts';

export type JournalLine = Awaited<ReturnType<typeof journalPage>>[number];

const PAGE = 2000;

/**
 * A program's ledger entries in order, each with its reward's kind and accounting class, read a
 * page at a time so a year of entries streams instead of sitting in memory. The program is
 * checked before the first line, so an unknown id is a 404, not an empty file.
 */
export async function journal(
  db: Executor,
  programId: string,
  range: { since?: string | undefined; until?: string | undefined },
): Promise<AsyncGenerator<JournalLine>> {
  await getProgram(db, programId);
  const scope = { programId, ...range };
  return (async function* () {
    let after: string | null = null;
    for (;;) {
      const page = await journalPage(db, scope, after, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = (page[page.length - 1] as JournalLine).id;
    }
  })();
}
