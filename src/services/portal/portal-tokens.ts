import { randomBytes } from 'node:crypto';
import { hashKey } from '../access/api-keys.ts';

/** A bearer token for the portal (a sign-in link's, a session's): 256 random bits. */
export const newPortalToken = (): string => randomBytes(32).toString('base64url');

/** Tokens are stored hashed, as API keys are: a copy of the database signs nobody in. */
export const portalTokenHash = (token: string): string => hashKey(token);
