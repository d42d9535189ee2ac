import { AppError } from '../lib/errors.ts';

/**
 * What an API key may do. A secret key holds scopes; a route needs one of them, and `admin`
 * stands for all. A publishable key (`pk_`) is meant to be seen by browsers: it holds no scope and
 * calls only the routes that declare themselves publishable.
 */
export const SCOPES = ['admin', 'read', 'events:write', 'portal:write'] as const;

export type Scope = (typeof SCOPES)[number];

export type KeyKind = 'secret' | 'publishable';

/** One line per scope, for the API document and the CLI's help. */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  admin: 'every route',
  read: 'every GET under /v1',
  'events:write': "what a shop's backend sends: events, participants' enrolment and invites",
  'portal:write':
    "signs a participant in to their referrer portal (POST /v1/portal_sessions): the portal shows that participant's referrals and rewards",
};

export interface KeyGrant {
  kind: KeyKind;
  scopes: readonly Scope[];
}

/** What a route asks of the key that calls it. */
export interface RouteAccess {
  scope: Scope;
  /** True when a publishable key may call it too (browser code: the portal, the widget). */
  publishable: boolean;
}

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; code: 'insufficient_scope' | 'publishable_key_not_allowed'; message: string };

export function isScope(name: string): name is Scope {
  return (SCOPES as readonly string[]).includes(name);
}

/** The grant of a new key: a secret key with no scope named is admin, as every key was before scopes. */
export function keyGrant(kind: KeyKind, names: readonly string[]): KeyGrant {
  if (kind === 'publishable') {
    if (names.length > 0) {
      throw new AppError(
        'invalid_value',
        'A publishable key holds no scopes: it calls only the routes meant for browsers.',
        'scope',
      );
    }
    return { kind, scopes: [] };
  }
  const unknown = names.filter((name) => !isScope(name));
  if (unknown.length > 0) {
    throw new AppError(
      'invalid_value',
      `Unknown scope ${unknown.map((name) => `'${name}'`).join(', ')}: use ${SCOPES.join(', ')}.`,
      'scope',
    );
  }
  // In the order of SCOPES, each once, so a key lists the same however it was asked for.
  const scopes = names.length === 0 ? ['admin' as const] : SCOPES.filter((scope) => names.includes(scope));
  return { kind, scopes };
}

export function decideAccess(key: KeyGrant, route: RouteAccess): AccessDecision {
  if (key.kind === 'publishable') {
    if (route.publishable) return { allowed: true };
    return {
      allowed: false,
      code: 'publishable_key_not_allowed',
      message:
        'A publishable key may call only the routes meant for browsers; call this one from your server with a secret key.',
    };
  }
  if (key.scopes.includes('admin') || key.scopes.includes(route.scope)) return { allowed: true };
  const held = key.scopes.length > 0 ? key.scopes.join(', ') : 'none';
  const needed = route.scope === 'admin' ? "the 'admin' scope" : `the '${route.scope}' scope (or 'admin')`;
  return {
    allowed: false,
    code: 'insufficient_scope',
    message: `This route needs a key with ${needed}; this key has: ${held}.`,
  };
}
