import type { RecordedChannel } from '../../domain/share-channels.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { insertShare, type ShareRow } from '../../store/repositories/portal.ts';

/** One use of a share button, for the funnel's share counts. */
export async function recordShare(
  db: InTransaction,
  share: { participantId: string; programId: string; channel: RecordedChannel; source: ShareRow['source'] },
  now: Date,
): Promise<ShareRow> {
  const row: ShareRow = {
    id: newId('shr', now.getTime()),
    program_id: share.programId,
    participant_id: share.participantId,
    channel: share.channel,
    source: share.source,
    created_at: now.toISOString(),
  };
  await insertShare(db, row);
  return row;
}
