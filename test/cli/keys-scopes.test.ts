import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { loadConfig } from '../../src/lib/config.ts';
import { PUBLIC_URL, TEST_SECRET } from '../support/app.ts';
import { runCli, SECRET_KEY } from '../support/cli.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

const PUBLISHABLE_KEY = /pk_[A-Za-z0-9]{24,}/g;

describe('vouch keys with scopes', () => {
  let store: TestStore;
  let app: FastifyInstance;
  let publishablePrefix = '';
  const vouch = (...args: string[]) => runCli(args, { DATABASE_URL: store.url });
  const status = async (key: string, method: 'GET' | 'POST', url: string) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(method === 'POST' ? { payload: {} } : {}),
    });
    return { status: res.statusCode, code: res.statusCode === 403 ? res.json().error.code : undefined };
  };
  const keyCount = async () =>
    Number(
      (
        await store.db
          .selectFrom('api_keys')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    store = await createTestStore();
    app = await buildApp({
      store,
      config: loadConfig({ VOUCH_PUBLIC_URL: PUBLIC_URL }),
      secret: TEST_SECRET,
      logger: false,
    });
  });
  afterAll(async () => {
    await app.close();
    await store.drop();
  });

  it('creates a secret key with the scopes named, which the API holds it to', async () => {
    const created = await vouch('keys', 'create', 'reporting', '--scope', 'read', '--scope', 'events:write');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /\(reporting\)\. Secret key with scopes read events:write, shown only now/,
    );
    const secret = (created.stdout.match(SECRET_KEY) ?? [])[0] as string;
    expect(secret).toBeDefined();

    expect(await status(secret, 'GET', '/v1/programs')).toEqual({ status: 200 });
    expect((await status(secret, 'POST', '/v1/events')).status).toBe(400);
    expect(await status(secret, 'POST', '/v1/programs')).toEqual({ status: 403, code: 'insufficient_scope' });
  });

  it('makes a key admin when no scope is named', async () => {
    const created = await vouch('keys', 'create', '--name', 'ops');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Secret key with scopes admin/);
    const secret = (created.stdout.match(SECRET_KEY) ?? [])[0] as string;

    expect((await status(secret, 'POST', '/v1/programs')).status).toBe(400);
  });

  it('creates a publishable key, which the API refuses on every route of today', async () => {
    const created = await vouch('keys', 'create', 'widget', '--publishable');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Publishable key/);
    expect(created.stdout.match(SECRET_KEY)).toBeNull();
    const publishable = (created.stdout.match(PUBLISHABLE_KEY) ?? [])[0] as string;
    expect(publishable).toBeDefined();

    expect(await status(publishable, 'GET', '/v1/programs')).toEqual({
      status: 403,
      code: 'publishable_key_not_allowed',
    });
    publishablePrefix = publishable.slice(0, 7);
  });

  it('lists each key with its kind and scopes', async () => {
    const listed = await vouch('keys', 'list');

    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/reporting {2}secret, scopes read events:write {2}created .* {2}active/);
    expect(listed.stdout).toMatch(/ops {2}secret, scopes admin {2}created/);
    expect(listed.stdout).toContain(
      `${publishablePrefix}…  widget  publishable (publishable routes only)  created`,
    );
    expect(listed.stdout.match(PUBLISHABLE_KEY)).toBeNull();
  });

  it.each([
    [['--scope', 'write'], /unknown scope 'write': use admin, read, events:write/i],
    [['--scope', 'read', '--scope', 'Events:Write'], /unknown scope 'Events:Write'/i],
    [['--publishable', '--scope', 'read'], /publishable key holds no scopes/i],
  ])('refuses %j with a one-line message, exit 2 and no key made', async (args, message) => {
    const before = await keyCount();

    const result = await vouch('keys', 'create', 'bad', ...args);

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(result.stdout).toBe('');
    expect(await keyCount()).toBe(before);
  });
});
