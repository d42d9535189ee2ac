// Webhook delivery throughput: a real `vouch worker` delivers a backlog of outbox messages to a
// local receiver that answers 200 at once, and the receiver verifies each signature.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { newId } from '../src/lib/ids.ts';
import { createEndpoint } from '../src/services/webhooks/webhook-endpoints.ts';
import { openStore } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { enqueue } from '../src/store/repositories/outbox.ts';
import { startWorker, stop, tempDatabase } from './servers.ts';

export interface WebhookBench {
  deliveriesPerS: number;
  messages: number;
  received: number;
  unique: number;
  badSignatures: number;
  undelivered: number;
}

export async function benchWebhooks(messages: number): Promise<WebhookBench> {
  const seen = new Set<string>();
  let received = 0;
  let badSignatures = 0;
  let verifier: Webhook | null = null;
  let firstAt = 0;
  let lastAt = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received++;
      try {
        verifier?.verify(body, req.headers as Record<string, string>);
      } catch {
        badSignatures++;
      }
      seen.add(req.headers['webhook-id'] as string);
      lastAt = performance.now();
      if (firstAt === 0) firstAt = lastAt;
      res.writeHead(200).end();
      if (seen.size === messages) done();
    });
  });
  receiver.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;

  const dbFile = tempDatabase();
  const store = await openStore(`sqlite:${dbFile}`);
  await migrateToLatest(store.db);
  const endpoint = await store.transaction((trx) =>
    createEndpoint(
      trx,
      store.keyring,
      { url: `http://127.0.0.1:${port}/hooks`, events: ['*'] },
      true,
      new Date(Date.now() - 1000),
      'bench',
    ),
  );
  verifier = new Webhook(endpoint.secret);
  for (let i = 0; i < messages; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, messages - i) }, (_, j) => ({
      id: newId('obx'),
      topic: 'reward.approved',
      payload: { reward_id: `rwd_bench_${i + j}` },
      createdAt: new Date().toISOString(),
    }));
    await store.transaction((trx) => enqueue(trx, batch));
  }

  const worker = startWorker(dbFile, { VOUCH_WEBHOOK_ALLOW_PRIVATE: 'true' });
  const timeout = setTimeout(done, 120_000);
  await finished;
  clearTimeout(timeout);
  await stop(worker);
  receiver.close();
  const { undelivered } = await store.db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('undelivered'))
    .where('status', '!=', 'delivered')
    .executeTakeFirstOrThrow();
  await store.close();
  const seconds = (lastAt - firstAt) / 1000;
  return {
    deliveriesPerS: Math.round(seen.size / Math.max(seconds, 0.001)),
    messages,
    received,
    unique: seen.size,
    badSignatures,
    undelivered: Number(undelivered),
  };
}
