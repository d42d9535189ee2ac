import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/lib/config.ts';
import type { Resolve } from '../../../src/worker/webhook-sender.ts';
import { startWebhookWorker } from '../../../src/worker/webhook-worker.ts';
import { DEV_ENV, sleep, until, webhookHarness } from '../../support/webhook-harness.ts';

// Which addresses an endpoint may name (as saved) and reach (as the socket connects).

const h = webhookHarness({ VOUCH_WEBHOOK_TIMEOUT_MS: '2000' });
const body = (url: string) => ({ url, events: ['participant.created'] });
const silent = { info() {}, error() {}, warn() {}, debug() {}, trace() {}, fatal() {} } as never;

describe('endpoint addresses as saved', () => {
  it.each([
    'https://[::127.0.0.1]/',
    'https://[64:ff9b::7f00:1]/',
    'https://[fec0::1]/',
    'https://[::ffff:0:7f00:1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[2002:7f00:1::1]/',
    'https://[fd00::1]/',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/',
    'https://localhost/',
    'https://api.localhost/',
  ])('refuses %s with 400 invalid_url at url, on create and on update', async (url) => {
    const created = await h.t.api('POST', '/v1/webhook_endpoints', body(url));
    expect(created.status, JSON.stringify(created.body)).toBe(400);
    expect(created.body.error).toMatchObject({ code: 'invalid_url', param: 'url' });
    expect(created.body.error.message).toMatch(/^url /);

    const ok = await h.endpoint('https://hooks.example.com/in');
    const patched = await h.t.api('PATCH', `/v1/webhook_endpoints/${ok.id}`, { url });
    expect(patched.status).toBe(400);
    expect(patched.body.error).toMatchObject({ code: 'invalid_url', param: 'url' });
    expect((await h.endpointNow(ok.id)).url).toBe('https://hooks.example.com/in');
  });

  it.each([
    'https://hooks.example.com/in',
    'https://8.8.8.8/in',
    'https://[2606:4700:4700::1111]/in',
    'https://[64:ff9b::808:808]/in',
  ])('accepts %s', async (url) => {
    const res = await h.t.api('POST', '/v1/webhook_endpoints', body(url));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('endpoint addresses as the socket connects', () => {
  /** A resolver that answers `answers` for every name, and counts what it was asked. */
  const resolver = (answers: LookupAddress[]) => {
    const asked: string[] = [];
    const resolve: Resolve = (hostname, _options, callback) => {
      asked.push(hostname);
      callback(null, answers);
    };
    return { resolve, asked };
  };
  const worker = (resolve: Resolve, allowPrivate: boolean) => {
    const config = { ...loadConfig(DEV_ENV).webhooks, allowPrivate };
    return startWebhookWorker(h.t.store, config, silent, () => new Date(), { resolve });
  };

  it.each([
    ['loopback', [{ address: '127.0.0.1', family: 4 }], /127\.0\.0\.1 \(loopback\)/],
    ['NAT64 of loopback', [{ address: '64:ff9b::7f00:1', family: 6 }], /rfc6052 of 127\.0\.0\.1/],
    [
      'one public and one private answer',
      [
        { address: '8.8.8.8', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
      /169\.254\.169\.254 \(linkLocal\)/,
    ],
  ])(
    'refuses a name that resolves to %s: the attempt fails with why, and the worker goes on',
    async (_, answers, why) => {
      const receiver = await h.receiver();
      const port = new URL(receiver.url).port;
      // Saved as https in production; sent over http to the receiver's port (only the address is judged).
      const endpoint = await h.endpoint(`https://hooks.example.com:${port}/in`);
      const { resolve, asked } = resolver(answers);
      const stop = worker(resolve, false);
      try {
        await h.emit();
        const [refused] = await until(async () => {
          const list = await h.deliveries(endpoint.id);
          return list[0]?.attempts === 1 ? list : undefined;
        });
        expect(refused).toMatchObject({ status: 'pending', last_status_code: null });
        expect(refused?.attempt_log[0]?.error).toMatch(why);
        expect(refused?.attempt_log[0]?.error).toMatch(
          /^hooks\.example\.com resolves to .* not a public address$/,
        );
        expect(asked).toContain('hooks.example.com');
        await sleep(200);
        expect(receiver.received).toEqual([]);
      } finally {
        await stop();
      }
    },
  );

  it('connects to the address it checked: a name resolved to the receiver reaches it', async () => {
    const receiver = await h.receiver();
    const { resolve } = resolver([{ address: '127.0.0.1', family: 4 }]);
    // Allowed here only because private targets are: what counts is which socket the name reached.
    const created = await h.t.store.transaction((trx) =>
      trx
        .insertInto('webhook_endpoints')
        .values({
          id: 'whk_resolved',
          url: `http://hooks.example.com:${new URL(receiver.url).port}/in`,
          description: null,
          events: JSON.stringify(['participant.created']),
          status: 'enabled',
          disabled_reason: null,
          secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
          previous_secret: null,
          previous_secret_expires_at: null,
          failing_since: null,
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
          deleted_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    const stop = worker(resolve, true);
    try {
      await h.emit();
      const [delivered] = await until(async () => {
        const list = await h.deliveries(created.id);
        return list[0]?.attempts === 1 ? list : undefined;
      });
      expect(delivered).toMatchObject({ status: 'delivered', last_status_code: 200 });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await stop();
    }
  });
});
