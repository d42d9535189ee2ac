import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/services/access/api-keys.ts';
import { createTestApp } from '../support/app.ts';
import { type Server, startServer } from '../support/cli.ts';
import { makeParticipant, makeProgram, programBody } from '../support/factories.ts';
import { createTestStore, dialect, type TestStore } from '../support/store.ts';
import { until } from '../support/webhook-harness.ts';
import { startReceiver } from '../support/webhook-receiver.ts';
import { startWorker } from '../support/worker-process.ts';

// Real `vouch serve` and `vouch worker` processes whose PostgreSQL backends are terminated, as a
// failover, a restart or a connection reaper does. Each process connects with an
// application_name of its own, and only backends with that name are terminated: other test files
// share this server.

const ENV = { VOUCH_WEBHOOK_ALLOW_PRIVATE: 'true', VOUCH_WEBHOOK_TIMEOUT_MS: '2000' };
const RECOVERY_MS = 5_000;
const LOSS_WARNING = 'lost a connection to PostgreSQL';

let admin: pg.Client;
let cleanups: (() => Promise<void>)[] = [];

/** The URL of `store` under an application_name no other connection has. */
function namedUrl(store: { url: string }) {
  const name = `vouch_loss_${randomBytes(6).toString('hex')}`;
  const url = new URL(store.url);
  url.searchParams.set('application_name', name);
  return { name, url: url.toString() };
}

async function backends(name: string, where = 'true') {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where application_name = $1 and ${where}`,
    [name],
  );
  return rows.map((r) => r.pid);
}

/** Terminates the named process's backends (those matching `where`), and waits until they are gone. */
async function terminate(name: string, where = 'true'): Promise<number[]> {
  const pids = await backends(name, where);
  await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
  await until(async () => {
    const { rows } = await admin.query('select pid from pg_stat_activity where pid = any($1::int[])', [pids]);
    return rows.length === 0 ? true : undefined;
  });
  return pids;
}

/** The pino lines a process wrote at `level` (40 warn, 50 error, 60 fatal). */
function linesAt(output: string, level: number) {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; [key: string]: unknown })
    .filter((line) => line.level === level);
}

function expectLossLoggedOnce(output: string) {
  const warnings = linesAt(output, 40).filter((line) => line.msg.startsWith(LOSS_WARNING));
  expect(warnings).toHaveLength(1);
  // What PostgreSQL said and nothing else: no URL, query or value of a row.
  expect(warnings[0]?.database_error).toEqual({
    code: '57P01',
    message: 'terminating connection due to administrator command',
  });
  expect(linesAt(output, 50)).toEqual([]);
  expect(linesAt(output, 60)).toEqual([]);
}

async function servedStore(env: Record<string, string> = {}) {
  const store: TestStore = await createTestStore();
  cleanups.push(() => store.drop());
  const { plaintext: key } = await store.transaction((trx) => createApiKey(trx, 'loss', new Date()));
  const { name, url } = namedUrl(store);
  const server: Server = await startServer({ ...ENV, ...env, DATABASE_URL: url });
  cleanups.push(() => server.kill());
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  return { store, server, name, api };
}

describe.skipIf(dialect !== 'postgres')(
  'processes whose PostgreSQL connections are terminated (PostgreSQL only: SQLite has no connection to lose)',
  () => {
    beforeAll(async () => {
      admin = new pg.Client({
        connectionString: process.env.TEST_DATABASE_URL,
        application_name: 'vouch_loss_admin',
      });
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.end();
    });
    afterEach(async () => {
      for (const clean of cleanups.reverse()) await clean();
      cleanups = [];
    });

    it('vouch serve survives losing every pooled connection and answers /v1 again within seconds', async () => {
      const { server, name, api } = await servedStore();
      // Enough requests at once that the pool holds several connections.
      const program = await api('POST', '/v1/programs', programBody());
      expect(program.status).toBe(201);
      const reads = await Promise.all(Array.from({ length: 8 }, () => api('GET', '/v1/programs')));
      expect(reads.map((r) => r.status)).toEqual(Array(8).fill(200));

      const killed = await terminate(name);
      expect(killed.length).toBeGreaterThanOrEqual(2);
      const lostAt = Date.now();
      const failures: unknown[] = [];
      const answer = await until(async () => {
        const res = await api('GET', `/v1/programs/${program.body.id}`).catch((err: Error) => err);
        if (!(res instanceof Error) && res.status === 200) return res;
        failures.push(res instanceof Error ? res.message : res.body);
        return undefined;
      }, RECOVERY_MS);
      const recoveredMs = Date.now() - lostAt;

      expect(answer.body.id).toBe(program.body.id);
      // Anything answered in between is the documented, retryable 503.
      for (const failure of failures)
        expect(failure).toMatchObject({ error: { code: 'service_unavailable' } });
      expect(await api('GET', '/v1/programs').then((r) => r.status)).toBe(200);
      expect((await backends(name)).length).toBeGreaterThan(0);
      expectLossLoggedOnce(server.stdout());
      expect(server.stderr()).not.toContain('Unhandled');
      console.log(
        `[postgres] serve: ${killed.length} backends terminated; answered 200 ${recoveredMs} ms later after ${failures.length} failed requests`,
      );
      expect(await server.stop()).toBe(0);
    });

    it('a write whose connection dies mid-transaction answers 503, and its retry with the Idempotency-Key is applied once', async () => {
      const { store, server, name, api } = await servedStore({ VOUCH_WEBHOOK_WORKER: 'off' });
      const program = await api('POST', '/v1/programs', programBody());
      const body = { program_id: program.body.id, external_id: 'mid-transaction', email: 'ada@example.com' };
      const headers = { 'idempotency-key': 'create-ada' };

      // The test holds the program's row, so the server's insert, which references it, waits in
      // the middle of its transaction; its backend is terminated there.
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = () => {};
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holding = store.db.transaction().execute(async (trx) => {
        await trx.selectFrom('programs').select('id').where('id', '=', program.body.id).forUpdate().execute();
        locked();
        await held;
      });
      cleanups.push(async () => {
        release();
        await holding;
      });
      await isLocked;
      const first = api('POST', '/v1/participants', body, headers);
      const waiting = await until(async () => {
        const pids = await backends(name, `wait_event_type = 'Lock'`);
        return pids.length > 0 ? pids : undefined;
      });
      expect(waiting).toHaveLength(1);
      await terminate(name, `wait_event_type = 'Lock'`);
      const failed = await first;
      release();

      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('1');
      expect(failed.body).toEqual({
        error: { type: 'api_error', code: 'service_unavailable', message: expect.stringContaining('retry') },
      });
      const retried = await api('POST', '/v1/participants', body, headers);
      expect(retried.status).toBe(201);
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
      const again = await api('POST', '/v1/participants', body, headers);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(retried.body.id);
      const rows = await store.db
        .selectFrom('participants')
        .select('id')
        .where('external_id', '=', 'mid-transaction')
        .execute();
      expect(rows).toEqual([{ id: retried.body.id }]);
      expectLossLoggedOnce(server.stdout());
      expect(server.stdout()).not.toContain('ada@example.com');
      expect(await server.stop()).toBe(0);
    });

    it('vouch worker keeps delivering webhooks after its connections are terminated', async () => {
      const t = await createTestApp(ENV);
      cleanups.push(() => t.close());
      const receiver = await startReceiver();
      cleanups.push(receiver.close);
      const created = await t.api('POST', '/v1/webhook_endpoints', {
        url: receiver.url,
        events: ['participant.created'],
      });
      expect(created.status).toBe(201);
      const program = await makeProgram(t);
      const { name, url } = namedUrl(t.store);
      const worker = await startWorker({ ...ENV, DATABASE_URL: url });
      cleanups.push(() => worker.stop('SIGKILL'));
      const delivered = (participantId: string) =>
        until(() => (receiver.received.some((r) => r.body.includes(participantId)) ? true : undefined));

      await delivered((await makeParticipant(t, program.id)).id);
      const killed = await terminate(name);
      expect(killed.length).toBeGreaterThanOrEqual(1);
      const lostAt = Date.now();
      const after = await makeParticipant(t, program.id);
      await until(
        () => (receiver.received.some((r) => r.body.includes(after.id)) ? true : undefined),
        RECOVERY_MS,
      );
      const recoveredMs = Date.now() - lostAt;

      expect(worker.ended()).toBeNull();
      expect(receiver.received).toHaveLength(2);
      expectLossLoggedOnce(worker.output());
      console.log(
        `[postgres] worker: ${killed.length} backends terminated; next webhook delivered ${recoveredMs} ms later`,
      );
      await worker.stop('SIGTERM');
      expect(worker.ended()).toBe(0);
    });
  },
);
