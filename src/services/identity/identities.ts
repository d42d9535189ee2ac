import type { Executor, InTransaction } from '../../store/executor.ts';
import {
  findLinks,
  findParticipantsSharing,
  insertLinks,
  type LinkRow,
  rememberIdentities,
} from '../../store/repositories/identities.ts';
import type { IdentityKey } from './identity-keys.ts';

// A shared email or phone means one person; a shared device or network may be a household or an
// office, so those only feed fraud rules.
const LINKING_KINDS = new Set(['email', 'phone']);

/**
 * Remembers the identities a participant was seen with, and links the participant to the other
 * records of the program that share an email or phone: linked, never merged, so both histories
 * stay as they were. `seenAt` is the event's time (its occurred_at), so a backfill is remembered
 * as it happened. Returns the ids of every record linked to it, old links included.
 */
export async function observeParticipant(
  db: InTransaction,
  participant: { id: string; program_id: string },
  identities: readonly IdentityKey[],
  seenAt: Date,
): Promise<string[]> {
  const at = seenAt.toISOString();
  await rememberIdentities(
    db,
    identities.map((i) => ({
      participant_id: participant.id,
      program_id: participant.program_id,
      kind: i.kind,
      hash: i.hash,
      first_seen_at: at,
      last_seen_at: at,
    })),
  );
  const linkable = identities.filter((i) => LINKING_KINDS.has(i.kind));
  const sharing = await findParticipantsSharing(db, participant.program_id, participant.id, linkable);
  await insertLinks(
    db,
    sharing
      .flatMap((other) => [
        { participant_id: participant.id, linked_participant_id: other.participant_id, kind: other.kind },
        { participant_id: other.participant_id, linked_participant_id: participant.id, kind: other.kind },
      ])
      .map((link) => ({ ...link, program_id: participant.program_id, created_at: at })),
  );
  return (await findLinks(db, participant.id)).map((link) => link.linked_participant_id);
}

/** The other records of the program a participant was found to share an email or phone with. */
export function participantLinks(db: Executor, participantId: string): Promise<LinkRow[]> {
  return findLinks(db, participantId);
}
