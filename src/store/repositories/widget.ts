import type { Executor } from '../executor.ts';
import type { WidgetTokensTable } from '../schema.ts';

export type WidgetTokenRow = WidgetTokensTable;

export async function insertWidgetToken(db: Executor, row: WidgetTokenRow): Promise<void> {
  await db.insertInto('widget_tokens').values(row).execute();
}

/**
 * A token that still lasts, of a participant who is still active, with the origins its program
 * lets embed the widget: what every widget request checks, in one read.
 */
export async function findLiveWidgetToken(db: Executor, tokenHash: string, now: string) {
  return db
    .selectFrom('widget_tokens as w')
    .innerJoin('participants as p', 'p.id', 'w.participant_id')
    .innerJoin('programs as g', 'g.id', 'p.program_id')
    .select(['w.participant_id', 'p.program_id', 'g.embed_origins'])
    .where('w.token_hash', '=', tokenHash)
    .where('w.expires_at', '>', now)
    .where('p.status', '=', 'active')
    .executeTakeFirst();
}

/** The embed origins of every program that has any: a preflight carries no token to say which program. */
export async function listEmbedOrigins(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('programs')
    .select('embed_origins')
    .where('embed_origins', '!=', '[]')
    .execute();
  return rows.flatMap((r) => JSON.parse(r.embed_origins) as string[]);
}
