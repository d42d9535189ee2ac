import { EMAIL_CATEGORIES, type EmailCategory } from '../../domain/emails.ts';
import type { Executor, InTransaction } from '../../store/executor.ts';
import { optOutsOf, replaceOptOuts } from '../../store/repositories/emails.ts';
import { findParticipant } from '../../store/repositories/participants.ts';
import { findProgram } from '../../store/repositories/programs.ts';

/** The categories of email a participant still gets. */
export async function wantedCategories(db: Executor, participantId: string): Promise<Set<EmailCategory>> {
  const refused = (await optOutsOf(db, [participantId])).get(participantId) ?? new Set<string>();
  return new Set(EMAIL_CATEGORIES.filter((category) => !refused.has(category)));
}

/** Keeps the categories a participant wants, opting out of the rest; the next email already obeys. */
export async function chooseCategories(
  db: InTransaction,
  participantId: string,
  wanted: ReadonlySet<string>,
  now: Date,
): Promise<void> {
  const refused = EMAIL_CATEGORIES.filter((category) => !wanted.has(category));
  await replaceOptOuts(db, participantId, refused, now.toISOString());
}

/** The name of the participant's program, or null when there is no such participant. */
export async function programNameOf(db: Executor, participantId: string): Promise<string | null> {
  const participant = await findParticipant(db, participantId);
  if (!participant) return null;
  return (await findProgram(db, participant.program_id))?.name ?? null;
}

/** One-click unsubscribe: out of every category. The program's name, or null for no such participant. */
export async function optOutOfEverything(
  db: InTransaction,
  participantId: string,
  now: Date,
): Promise<string | null> {
  const program = await programNameOf(db, participantId);
  if (program) await chooseCategories(db, participantId, new Set(), now);
  return program;
}
