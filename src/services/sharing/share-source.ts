import type { RewardRules } from '../../domain/reward-rules.ts';
import { AppError } from '../../lib/errors.ts';
import type { Executor } from '../../store/executor.ts';
import { getParticipant } from '../participants/participants.ts';
import { getProgram, rulesOf } from '../programs/programs.ts';

/** What a participant's shares are made from (a share link, the share kit): their code and their program's offer. */
export interface ShareSource {
  participantId: string;
  programId: string;
  code: string;
  programName: string;
  rules: RewardRules;
}

/** Only a referrer who can refer shares: a disabled one's link leads nowhere (422). */
export async function shareSourceOf(db: Executor, participantId: string): Promise<ShareSource> {
  const participant = await getParticipant(db, participantId);
  if (participant.status !== 'active') {
    throw new AppError('participant_disabled', 'A disabled participant has no link to share.');
  }
  const program = await getProgram(db, participant.program_id);
  return {
    participantId: participant.id,
    programId: participant.program_id,
    code: participant.referral_code,
    programName: program.name,
    rules: rulesOf(program),
  };
}
