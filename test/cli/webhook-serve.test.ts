import { afterEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/services/access/api-keys.ts';
import { type Server, startServer } from '../support/cli.ts';
import { programBody, unique } from '../support/factories.ts';
import { createTestStore, type TestStore } from '../support/store.ts';
import { startReceiver } from '../support/webhook-receiver.ts';
import { startWorker, type WorkerProcess } from '../support/worker-process.ts';

// Where deliveries run: inside `vouch serve` by default, or only in `vouch worker` processes
// when serve is started with VOUCH_WEBHOOK_WORKER=off.

const ENV = { VOUCH_WEBHOOK_ALLOW_PRIVATE: 'true', VOUCH_WEBHOOK_TIMEOUT_MS: '2000' };

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.reverse()) await clean();
  cleanups = [];
});

/** A served database with one API key, a receiver, and an endpoint on it; raises one event. */
async function served(env: Record<string, string>) {
  const store: TestStore = await createTestStore();
  cleanups.push(() => store.drop());
  const { plaintext: key } = await store.transaction((trx) => createApiKey(trx, 'webhooks', new Date()));
  const receiver = await startReceiver();
  cleanups.push(receiver.close);
  const server: Server = await startServer({ ...ENV, ...env, DATABASE_URL: store.url });
  cleanups.push(() => server.kill());
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string };
  };
  await api('/v1/webhook_endpoints', { url: receiver.url, events: ['participant.created'] });
  const program = await api('/v1/programs', programBody());
  const participant = await api('/v1/participants', { program_id: program.id, external_id: unique('u') });
  return { store, server, receiver, participantId: participant.id };
}

async function until(check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('where webhooks are delivered from', () => {
  it('delivers from inside vouch serve by default', async () => {
    const { receiver, participantId, server } = await served({});

    await until(() => receiver.received.length > 0);

    expect(receiver.received[0]?.body).toContain(participantId);
    expect(server.stdout()).not.toMatch(/"level":(50|60)/);
  });

  it('leaves delivery to vouch worker when serve runs with VOUCH_WEBHOOK_WORKER=off', async () => {
    const { store, receiver, participantId } = await served({ VOUCH_WEBHOOK_WORKER: 'off' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.received).toEqual([]);

    const worker: WorkerProcess = await startWorker({ ...ENV, DATABASE_URL: store.url });
    cleanups.push(() => worker.stop('SIGKILL'));
    await until(() => receiver.received.length > 0);

    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.body).toContain(participantId);
    expect(worker.output()).not.toMatch(/"level":(50|60)/);
  });
});
