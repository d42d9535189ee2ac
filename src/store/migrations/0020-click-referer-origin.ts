import { type Kysely, sql } from 'kysely';
import { refererOrigin } from '../../domain/referer-origin.ts';

const BATCH = 500;

// Clicks keep the referring site only (see domain/referer-origin.ts); the full referers stored
// before are cut down here, one distinct value at a time, so a large table needs no big sort.
export async function up(db: Kysely<unknown>): Promise<void> {
  let after = '';
  for (;;) {
    const { rows } = await sql<{ referer: string }>`
      select distinct referer from clicks where referer > ${after} order by referer limit ${BATCH}
    `.execute(db);
    for (const { referer } of rows) {
      const origin = refererOrigin(referer);
      if (origin !== referer) {
        await sql`update clicks set referer = ${origin} where referer = ${referer}`.execute(db);
      }
    }
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) return;
    after = last.referer;
  }
}
