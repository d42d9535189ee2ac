import { isEmbedOrigin } from '../../domain/embed-origins.ts';
import type { Executor, InTransaction } from '../../store/executor.ts';
import { findLiveWidgetToken, insertWidgetToken, listEmbedOrigins } from '../../store/repositories/widget.ts';
import { newPortalToken, portalTokenHash } from '../portal/portal-tokens.ts';

/** Long enough for a page a referrer keeps open; the business's page asks for a new one on each load. */
export const WIDGET_TOKEN_TTL_MS = 3_600_000;

// Told apart from a portal token or an API key at a glance, in a log or a secret scanner.
const PREFIX = 'wgt_';

/** A bearer token for one participant's widget, valid for an hour; stored only as its hash. */
export async function issueWidgetToken(
  db: InTransaction,
  participantId: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = PREFIX + newPortalToken();
  const expiresAt = new Date(now.getTime() + WIDGET_TOKEN_TTL_MS);
  await insertWidgetToken(db, {
    token_hash: portalTokenHash(token),
    participant_id: participantId,
    created_at: now.toISOString(),
    expires_at: expiresAt.toISOString(),
  });
  return { token, expiresAt };
}

export interface WidgetGrant {
  participantId: string;
  programId: string;
  /** The origins whose pages may use this token (the program's embed_origins). */
  embedOrigins: string[];
}

/** Whom a widget token speaks for, while it lasts and its participant is active; else undefined. */
export async function findWidgetGrant(
  db: Executor,
  token: string,
  now: Date,
): Promise<WidgetGrant | undefined> {
  if (!token.startsWith(PREFIX)) return undefined;
  const row = await findLiveWidgetToken(db, portalTokenHash(token), now.toISOString());
  if (!row) return undefined;
  return {
    participantId: row.participant_id,
    programId: row.program_id,
    embedOrigins: JSON.parse(row.embed_origins) as string[],
  };
}

/** Whether some program lets this origin embed its widget: what a preflight, which has no token, can ask. */
export async function isAnyEmbedOrigin(db: Executor, origin: string): Promise<boolean> {
  return isEmbedOrigin(await listEmbedOrigins(db), origin);
}
