import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteHeartbeat, HEARTBEAT_STALE_MS } from '../../../src/store/repositories/heartbeat.ts';
import { writeHeartbeat } from '../../../src/worker/heartbeat.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';

describe('health and readiness', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  const ready = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    const checks = Object.fromEntries(res.json().checks.map((c: any) => [c.name, c.state]));
    return { status: res.statusCode, body: res.json(), checks };
  };

  it('answers live on /health and /health/live without a key', async () => {
    t = await createTestApp();
    for (const url of ['/health', '/health/live']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    }
  });

  it('is ready with no worker ever started: the worker is absent, not failing', async () => {
    t = await createTestApp();
    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ready');
    expect(r.checks).toEqual({ database: 'ok', migrations: 'ok', worker: 'absent' });
  });

  it('is ready with a recent heartbeat and not ready once it is stale', async () => {
    t = await createTestApp();
    const beat = new Date();
    await writeHeartbeat(t.store, beat);
    t.setNow(new Date(beat.getTime() + HEARTBEAT_STALE_MS));
    expect(await ready()).toMatchObject({ status: 200, checks: { worker: 'ok' } });
    t.setNow(new Date(beat.getTime() + HEARTBEAT_STALE_MS + 1));
    const stale = await ready();
    expect(stale.status).toBe(503);
    expect(stale.body.status).toBe('not_ready');
    expect(stale.checks).toEqual({ database: 'ok', migrations: 'ok', worker: 'stale' });
    // A worker stopped on purpose removes its row: absent again, ready again.
    await t.store.transaction(deleteHeartbeat);
    expect(await ready()).toMatchObject({ status: 200, checks: { worker: 'absent' } });
  });

  it('is not ready while a migration is pending, naming it', async () => {
    t = await createTestApp();
    const latest = await t.store.db
      .selectFrom(sql`kysely_migration`.as('m'))
      .select(sql<string>`name`.as('name'))
      .orderBy(sql`name`, 'desc')
      .executeTakeFirstOrThrow();
    await sql`delete from kysely_migration where name = ${latest.name}`.execute(t.store.db);
    const r = await ready();
    expect(r.status).toBe(503);
    expect(r.checks).toEqual({ database: 'ok', migrations: 'pending', worker: 'absent' });
    expect(r.body.checks.find((c: any) => c.name === 'migrations').detail).toContain(latest.name);
  });

  it('answers 503 shutting_down in the error shape to a request that arrives while closing', async () => {
    t = await createTestApp();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (port: number, path: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
          );
        });
        req.on('error', reject);
        req.end();
      });
    let during: Awaited<ReturnType<typeof get>> | undefined;
    let port = 0;
    // Runs after Vouch's own preClose hook, while the kept-alive connection is still open.
    t.app.addHook('preClose', async () => {
      during = await get(port, '/health/live');
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    expect((await get(port, '/health/live')).status).toBe(200);
    await t.app.close();
    agent.destroy();
    expect(during?.status).toBe(503);
    expect(during?.headers['retry-after']).toBe('1');
    expect(during?.body).toEqual({
      error: { type: 'api_error', code: 'shutting_down', message: 'The server is shutting down; retry.' },
    });
  });
});
