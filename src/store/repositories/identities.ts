import { sql } from 'kysely';
import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type {
  IdentityKind,
  IpUaSightingsTable,
  ParticipantIdentitiesTable,
  ParticipantLinksTable,
} from '../schema.ts';

export type IdentityRow = ParticipantIdentitiesTable;
export type LinkRow = ParticipantLinksTable;

const upsertIdentities = prepared((db, rows: readonly IdentityRow[]) =>
  db
    .insertInto('participant_identities')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['participant_id', 'kind', 'hash'])
        // Times are event times, which arrive in any order: the span only ever widens.
        .doUpdateSet({
          first_seen_at: sql`case when excluded.first_seen_at < participant_identities.first_seen_at
            then excluded.first_seen_at else participant_identities.first_seen_at end`,
          last_seen_at: sql`case when excluded.last_seen_at > participant_identities.last_seen_at
            then excluded.last_seen_at else participant_identities.last_seen_at end`,
        }),
    ),
);

const insertIpUaSightings = prepared((db, rows: readonly IpUaSightingRow[]) =>
  db
    .insertInto('ip_ua_sightings')
    .values(rows)
    .onConflict((oc) => oc.doNothing()),
);

export type IpUaSightingRow = IpUaSightingsTable;

/**
 * Remembers identities seen with a participant at an event's time: new ones are added, known ones
 * widen their first and last sighting. IP + user agent sightings are also kept one by one, since a
 * window around a sign-up asks whether any of them falls near it.
 */
export async function rememberIdentities(db: Executor, rows: readonly IdentityRow[]): Promise<void> {
  if (rows.length === 0) return;
  await upsertIdentities(db, rows);
  const sightings = rows
    .filter((row) => row.kind === 'ip_ua')
    .map((row) => ({ participant_id: row.participant_id, hash: row.hash, seen_at: row.last_seen_at }));
  if (sightings.length > 0) await insertIpUaSightings(db, sightings);
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
