import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATABASE_URL, loadConfig } from './config.ts';
import { newEncryptionKey } from './sealing.ts';

const POSTGRES = { DATABASE_URL: 'postgres://db/vouch', VOUCH_ENCRYPTION_KEYS: newEncryptionKey() };

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

  it('writes clicks durably unless told to buffer them', () => {
    expect(loadConfig({}).clickWrites).toBe('durable');
    expect(loadConfig(POSTGRES).clickWrites).toBe('buffered');
    expect(loadConfig({ ...POSTGRES, VOUCH_CLICK_WRITES: 'durable' }).clickWrites).toBe('durable');
    expect(loadConfig({ VOUCH_CLICK_WRITES: 'durable' }).clickWrites).toBe('durable');
    expect(loadConfig({ VOUCH_CLICK_WRITES: 'buffered' }).clickWrites).toBe('buffered');
  });

  it('takes the sealing keys newest first, and needs them on PostgreSQL only', () => {
    const [newer, older] = [newEncryptionKey(), newEncryptionKey()];
    const keys = loadConfig({ VOUCH_ENCRYPTION_KEYS: ` ${newer} , ${older}` }).encryptionKeys;
    expect(keys?.map((key) => key.toString('base64url'))).toEqual([newer, older]);
    expect(loadConfig({}).encryptionKeys).toBeUndefined();
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/vouch' })).toThrow(
      /VOUCH_ENCRYPTION_KEYS: must be set on PostgreSQL.*vouch secrets new-key/,
    );
  });

  it.each([
    ['not base64url', 'sk_not-a-key!'],
    ['too short', 'c2hvcnQ'],
    ['an empty entry', `${'A'.repeat(43)},`],
  ])('refuses an encryption key that is %s, without echoing it', (_, raw) => {
    let error: unknown;
    try {
      loadConfig({ VOUCH_ENCRYPTION_KEYS: raw });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^VOUCH_ENCRYPTION_KEYS: entry \d of \d is not a key/);
    for (const part of raw.split(',').filter(Boolean)) expect(message).not.toContain(part);
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
    ['VOUCH_RATE_LIMIT_KEY', '1000'],
    ['VOUCH_RATE_LIMIT_KEY', '0/10s'],
    ['VOUCH_RATE_LIMIT_IP', '10/0s'],
    ['VOUCH_RATE_LIMIT_IP', '-5/1s'],
    ['VOUCH_RATE_LIMIT_AUTH_FAILURES', '10/1d'],
    ['VOUCH_RATE_LIMIT_AUTH_FAILURES', 'none'],
    ['VOUCH_RATE_LIMIT_LINKS', '1.5/1s'],
    ['VOUCH_RATE_LIMIT_LINKS', '10 / 1s'],
    ['VOUCH_CLICK_WRITES', 'batched'],
  ])('refuses %s=%s with an error naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });

  it.each([
    ['100/10s', { points: 100, windowSeconds: 10 }],
    ['20/m', { points: 20, windowSeconds: 60 }],
    ['5000/2h', { points: 5000, windowSeconds: 7200 }],
    ['off', null],
  ])('reads a rate limit of %s', (value, limit) => {
    expect(loadConfig({ VOUCH_RATE_LIMIT_KEY: value }).rateLimits.key).toEqual(limit);
  });

  it('limits every scope by default', () => {
    expect(loadConfig({}).rateLimits).toEqual({
      key: { points: 10000, windowSeconds: 10 },
      ip: { points: 20000, windowSeconds: 10 },
      authFailures: { points: 20, windowSeconds: 600 },
      links: { points: 600, windowSeconds: 60 },
      signInEmail: { points: 5, windowSeconds: 3600 },
      signInIp: { points: 30, windowSeconds: 3600 },
    });
  });
});

describe('email configuration', () => {
  it('is off without VOUCH_SMTP_URL', () => {
    expect(loadConfig({}).email).toBeNull();
  });

  it('takes an SMTP URL and a sender', () => {
    const env = {
      VOUCH_SMTP_URL: 'smtps://user:pa%40ss@mail.example.com:465',
      VOUCH_EMAIL_FROM: 'Northwind Rewards <rewards@northwind.example>',
      VOUCH_EMAIL_REPLY_TO: 'help@northwind.example',
    };
    expect(loadConfig(env).email).toEqual({
      smtpUrl: env.VOUCH_SMTP_URL,
      from: env.VOUCH_EMAIL_FROM,
      replyTo: 'help@northwind.example',
    });
  });

  it('refuses a bad URL without echoing it, and asks for a sender', () => {
    expect(() => loadConfig({ VOUCH_SMTP_URL: 'not a url :secret' })).toThrow(
      /^VOUCH_SMTP_URL: must be a URL/,
    );
    expect(() => loadConfig({ VOUCH_SMTP_URL: 'not a url :secret' })).not.toThrow(/secret/);
    expect(() => loadConfig({ VOUCH_SMTP_URL: 'http://mail.example.com' })).toThrow(/smtp: or smtps:/);
    expect(() => loadConfig({ VOUCH_SMTP_URL: 'smtp://mail.example.com' })).toThrow(
      /^VOUCH_EMAIL_FROM: is required/,
    );
    expect(() =>
      loadConfig({ VOUCH_SMTP_URL: 'smtp://mail.example.com', VOUCH_EMAIL_FROM: 'nobody' }),
    ).toThrow(/^VOUCH_EMAIL_FROM: must be an address/);
  });
});
