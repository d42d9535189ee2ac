import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { IdentityKind, ParticipantIdentitiesTable, ParticipantLinksTable } from '../schema.ts';

export type IdentityRow = ParticipantIdentitiesTable;
export type LinkRow = ParticipantLinksTable;

const upsertIdentities = prepared((db, rows: readonly IdentityRow[]) =>
  db
    .insertInto('participant_identities')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['participant_id', 'kind', 'hash'])
        .doUpdateSet((eb) => ({ last_seen_at: eb.ref('excluded.last_seen_at') })),
    ),
);

/** Remembers identities seen with a participant: new ones are added, known ones touched. */
export async function rememberIdentities(db: Executor, rows: readonly IdentityRow[]): Promise<void> {
  if (rows.length > 0) await upsertIdentities(db, rows);
}

const selectSharing = prepared(
  (db, v: { programId: string; participantId: string; kind: IdentityKind; hash: string }) =>
    db
      .selectFrom('participant_identities')
      .select(['participant_id', 'kind'])
      .where('program_id', '=', v.programId)
      .where('kind', '=', v.kind)
      .where('hash', '=', v.hash)
      .where('participant_id', '!=', v.participantId),
);

/** Other participants of the program seen with one of these identities. */
export async function findParticipantsSharing(
  db: Executor,
  programId: string,
  participantId: string,
  identities: readonly { kind: IdentityKind; hash: string }[],
): Promise<{ participant_id: string; kind: IdentityKind }[]> {
  const found: { participant_id: string; kind: IdentityKind }[] = [];
  for (const { kind, hash } of identities) {
    found.push(...(await selectSharing(db, { programId, participantId, kind, hash })).rows);
  }
  return found;
}

/** Links two records of one person, both ways; linking again changes nothing. */
export async function insertLinks(db: Executor, rows: readonly LinkRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('participant_links')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const selectLinks = prepared((db, v: { participantId: string }) =>
  db
    .selectFrom('participant_links')
    .selectAll()
    .where('participant_id', '=', v.participantId)
    .orderBy('created_at'),
);

/** The records linked to a participant, oldest link first. */
export async function findLinks(db: Executor, participantId: string): Promise<LinkRow[]> {
  return (await selectLinks(db, { participantId })).rows;
}

/**
 * The distinct external ids of the participants seen with an identity, in any program; at most
 * `limit` of them. Filtering by the programs lets the (program_id, kind, hash) index serve.
 */
export async function findExternalIdsWithIdentity(
  db: Executor,
  identity: { kind: IdentityKind; hash: string },
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('participant_identities as i')
    .innerJoin('participants as p', 'p.id', 'i.participant_id')
    .select('p.external_id')
    .distinct()
    .where('i.program_id', 'in', db.selectFrom('programs').select('id'))
    .where('i.kind', '=', identity.kind)
    .where('i.hash', '=', identity.hash)
    .limit(limit)
    .execute();
  return rows.map((row) => row.external_id);
}
