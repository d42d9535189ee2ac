import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATABASE_URL, loadConfig } from './config.ts';

describe('configuration', () => {
  it('starts on the embedded default with no variables at all', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      databaseUrl: DEFAULT_DATABASE_URL,
      publicUrl: 'http://localhost:3000',
      cookieDomain: undefined,
      secret: undefined,
      trustProxy: false,
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('drops a trailing slash from the public URL', () => {
    expect(loadConfig({ VOUCH_PUBLIC_URL: 'https://refer.example.com/' }).publicUrl).toBe(
      'https://refer.example.com',
    );
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['VOUCH_PUBLIC_URL', 'not a url'],
    ['VOUCH_PUBLIC_URL', 'ftp://example.com'],
    ['VOUCH_SECRET', 'too-short'],
    ['VOUCH_BOOTSTRAP_KEY', 'pk_123'],
    ['VOUCH_COOKIE_DOMAIN', 'exa mple.com'],
    ['LOG_LEVEL', 'loud'],
    ['VOUCH_TRUST_PROXY', 'maybe'],
  ])('refuses %s=%s with an error naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});
