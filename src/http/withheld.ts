import type { Keyring } from '../lib/sealing.ts';
import { getTask } from '../services/rewards/fulfilment-tasks.ts';
import { openEndpointSecret } from '../services/webhooks/endpoint-secrets.ts';
import type { Executor } from '../store/executor.ts';
import { findInviteById } from '../store/repositories/invites.ts';
import { findParticipant } from '../store/repositories/participants.ts';
import { findReward } from '../store/repositories/rewards.ts';
import { findEndpoint } from '../store/repositories/webhook-endpoints.ts';
import type { Withheld } from './idempotency.ts';

// What stored Idempotency-Key responses leave out, by resource. Each blank keeps the field (as
// null, in its place) and each refill reads it from the live row, so a replay answers like the
// first response did, unless the row changed since: a rotated secret, an erased email.

type JsonObject = Record<string, unknown>;

function withheldField(field: string, read: (db: Executor, id: string) => Promise<unknown>): Withheld {
  return {
    blank: (body) => ({ ...body, [field]: null }),
    refill: async (db, stored) => ({ ...stored, [field]: (await read(db, String(stored.id))) ?? null }),
  };
}

/** A webhook endpoint's signing secret: a replay shows the current one, none once it is deleted. */
export const endpointSecret = (keyring: Keyring) =>
  withheldField('secret', async (db, id) => {
    const row = await findEndpoint(db, id);
    return row && row.deleted_at === null ? openEndpointSecret(keyring, id, row.secret) : null;
  });

export const participantEmail = withheldField(
  'email',
  async (db, id) => (await findParticipant(db, id))?.email,
);

/** A reward's coupon or gift-card code: it is worth money, so a stored answer does not copy it. */
export const rewardCode = withheldField('code', async (db, id) => (await findReward(db, id))?.code);

export const inviteEmail = withheldField('email', async (db, id) => (await findInviteById(db, id))?.email);

/** A fulfilment task's recipient email, nested in `recipient`. */
export const taskRecipientEmail: Withheld = {
  blank: (body) => ({ ...body, recipient: { ...(body.recipient as JsonObject), email: null } }),
  refill: async (db, stored) => {
    const { recipient } = await getTask(db, String(stored.id));
    return { ...stored, recipient: { ...(stored.recipient as JsonObject), email: recipient.email } };
  },
};
