import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeParticipant, makeProgram } from '../support/factories.ts';
import { dialect } from '../support/store.ts';
import { startReceiver } from '../support/webhook-receiver.ts';
import { startWorker, type WorkerProcess } from '../support/worker-process.ts';

// A `vouch worker` process killed with SIGKILL while attempts are in flight, then restarted on
// the same database (SQLite file or PostgreSQL schema). Delivery is at least once: what was in
// flight is sent again once its lease (timeout + 30 s) runs out, with the same webhook-id.

const ENV = {
  VOUCH_WEBHOOK_ALLOW_PRIVATE: 'true',
  // Leases last this + 30 s: what the killed worker held is due again ~31 s later.
  VOUCH_WEBHOOK_TIMEOUT_MS: '1000',
};
const EVENTS = 300;
const KILL_AFTER = 100;

async function until(check: () => Promise<boolean> | boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a webhook worker killed mid-batch', () => {
  let t: TestApp;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    t = await createTestApp(ENV);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await t.close();
  });

  it('keeps running while there is nothing to deliver, and stops cleanly on SIGTERM', async () => {
    const worker = await startWorker({ ...ENV, DATABASE_URL: t.store.url });
    workers.push(worker);

    await new Promise((r) => setTimeout(r, 1_500));

    expect(worker.ended()).toBeNull();
    await worker.stop('SIGTERM');
    expect(worker.ended()).toBe(0);
    expect(worker.output()).toContain('shutting down');
  });

  it(`delivers all ${EVENTS} messages at least once after SIGKILL and a restart, duplicates identical`, async () => {
    const started = Date.now();
    let inFlight = 0;
    let inFlightAtKill = -1;
    const receiver = await startReceiver(() => {
      inFlight++;
      const delayMs = 100 + Math.floor(Math.random() * 200);
      setTimeout(() => inFlight--, delayMs);
      return { status: 200, delayMs };
    });
    try {
      const created = await t.api('POST', '/v1/webhook_endpoints', {
        url: receiver.url,
        events: ['participant.created'],
      });
      expect(created.status).toBe(201);
      const program = await makeProgram(t);
      const emit = async (n: number) => {
        for (let i = 0; i < n; i++) await makeParticipant(t, program.id);
      };
      await emit(EVENTS / 2);

      const first = await startWorker({ ...ENV, DATABASE_URL: t.store.url });
      workers.push(first);
      // The rest are written while the first worker runs, and while it is dead.
      const emitting = emit(EVENTS / 2);
      await until(() => receiver.received.length >= KILL_AFTER, 20_000, `${KILL_AFTER} deliveries`);
      inFlightAtKill = inFlight;
      await first.stop('SIGKILL');
      const receivedAtKill = receiver.received.length;
      const restarted = await startWorker({ ...ENV, DATABASE_URL: t.store.url });
      workers.push(restarted);
      await emitting;

      const messages = await t.store.db
        .selectFrom('outbox')
        .select('id')
        .where('topic', '=', 'participant.created')
        .execute();
      expect(messages).toHaveLength(EVENTS);
      const delivered = async () => {
        const row = await t.store.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('status', '=', 'delivered')
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      await until(
        async () => {
          // Fail now rather than at the deadline: what the killed worker held waits for this one.
          if (restarted.ended() !== null) {
            const left = EVENTS - (await delivered());
            throw new Error(`the restarted worker exited (${restarted.ended()}) with ${left} not delivered`);
          }
          return (await delivered()) === EVENTS;
        },
        45_000,
        'every delivery delivered',
      );
      const elapsed = Date.now() - started;

      // Every message arrived, at least once.
      const byId = new Map<string, string[]>();
      for (const r of receiver.received) {
        const id = String(r.headers['webhook-id']);
        byId.set(id, [...(byId.get(id) ?? []), r.body]);
      }
      expect(new Set(byId.keys())).toEqual(new Set(messages.map((m) => m.id)));
      // A duplicate is the same message: same webhook-id, byte-identical body, a valid signature.
      for (const [id, copies] of byId) {
        expect(new Set(copies).size, id).toBe(1);
        expect(JSON.parse(copies[0] as string).id).toBe(id);
      }
      const webhook = new Webhook(created.body.secret);
      for (const r of receiver.received) {
        expect(() => webhook.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
      }
      const rows = await t.store.db
        .selectFrom('webhook_deliveries')
        .select(['status', 'attempts'])
        .where('endpoint_id', '=', created.body.id)
        .execute();
      expect(rows).toHaveLength(EVENTS);
      expect(rows.every((r) => r.status === 'delivered')).toBe(true);
      for (const worker of [first, restarted]) expect(worker.output()).not.toMatch(/"level":(50|60)/);

      const duplicates = receiver.received.length - byId.size;
      console.log(
        `[${dialect}] ${EVENTS} messages, killed after ${receivedAtKill} received with ${inFlightAtKill} in flight; ` +
          `${receiver.received.length} received, ${duplicates} duplicates, max attempts ` +
          `${Math.max(...rows.map((r) => r.attempts))}; all delivered ${elapsed} ms after start`,
      );
      // Only what the killed worker had in flight is sent twice: at most its 16 slots for the endpoint
      // (VOUCH_WEBHOOK_PER_ENDPOINT's default); nothing it had recorded.
      expect(duplicates).toBeLessThanOrEqual(16);
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
