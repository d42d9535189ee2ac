import { describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors.ts';
import { decideAccess, keyGrant, type RouteAccess } from './api-key-scopes.ts';

const route = (scope: RouteAccess['scope'], publishable = false): RouteAccess => ({ scope, publishable });

describe('keyGrant', () => {
  it('makes a secret key admin when no scope is named', () => {
    expect(keyGrant('secret', [])).toEqual({ kind: 'secret', scopes: ['admin'] });
  });

  it('keeps each named scope once, in a fixed order', () => {
    expect(keyGrant('secret', ['events:write', 'read', 'events:write']).scopes).toEqual([
      'read',
      'events:write',
    ]);
  });

  it('refuses an unknown scope, naming it and the known ones', () => {
    expect(() => keyGrant('secret', ['read', 'write'])).toThrow(
      expect.objectContaining({
        code: 'invalid_value',
        param: 'scope',
        message: expect.stringMatching(/'write'.*admin, read, events:write/),
      }),
    );
    expect(() => keyGrant('secret', ['Read'])).toThrow(AppError);
  });

  it('gives a publishable key no scope, and refuses one asked for', () => {
    expect(keyGrant('publishable', [])).toEqual({ kind: 'publishable', scopes: [] });
    expect(() => keyGrant('publishable', ['read'])).toThrow(
      expect.objectContaining({ code: 'invalid_value' }),
    );
  });
});

describe('decideAccess', () => {
  const admin = keyGrant('secret', ['admin']);
  const reader = keyGrant('secret', ['read']);
  const backend = keyGrant('secret', ['events:write']);
  const publishable = keyGrant('publishable', []);

  it('lets admin call every route', () => {
    for (const scope of ['admin', 'read', 'events:write'] as const) {
      expect(decideAccess(admin, route(scope))).toEqual({ allowed: true });
    }
  });

  it('lets a key call the routes of its scopes only, naming the scope it lacks', () => {
    expect(decideAccess(reader, route('read'))).toEqual({ allowed: true });
    expect(decideAccess(backend, route('events:write'))).toEqual({ allowed: true });
    const refused = decideAccess(reader, route('events:write'));
    expect(refused).toMatchObject({ allowed: false, code: 'insufficient_scope' });
    expect(refused.allowed || refused.message).toMatch(/'events:write' scope.*this key has: read/);
    expect(decideAccess(backend, route('admin'))).toMatchObject({
      code: 'insufficient_scope',
      message: "This route needs a key with the 'admin' scope; this key has: events:write.",
    });
  });

  it('lets a publishable key call publishable routes only, whatever their scope', () => {
    expect(decideAccess(publishable, route('events:write', true))).toEqual({ allowed: true });
    expect(decideAccess(publishable, route('read'))).toMatchObject({ code: 'publishable_key_not_allowed' });
    expect(decideAccess(publishable, route('admin'))).toMatchObject({ code: 'publishable_key_not_allowed' });
  });

  it('holds a secret key to the scope of a publishable route', () => {
    expect(decideAccess(reader, route('events:write', true))).toMatchObject({ code: 'insufficient_scope' });
  });
});
