import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/lib/config.ts';
import { startWebhookWorker } from '../../../src/worker/webhook-worker.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram } from '../../support/factories.ts';
import { until } from '../../support/webhook-harness.ts';
import { startReceiver } from '../../support/webhook-receiver.ts';

const ENV = { VOUCH_WEBHOOK_ALLOW_PRIVATE: 'true', VOUCH_WEBHOOK_TIMEOUT_MS: '2000' };
const silent = { info() {}, error() {}, warn() {}, debug() {} } as never;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(ENV);
});
afterAll(() => t.close());

describe('outgoing webhooks', () => {
  it('delivers events signed per Standard Webhooks, verified by the official library', async () => {
    const receiver = await startReceiver();
    const created = await t.api('POST', '/v1/webhook_endpoints', {
      url: receiver.url,
      events: ['participant.created'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const stop = startWebhookWorker(t.store, loadConfig(ENV).webhooks, silent, () => new Date());
    try {
      const program = await makeProgram(t);
      const participant = await makeParticipant(t, program.id);
      const [delivery] = await until(async () =>
        receiver.received.length > 0 ? receiver.received : undefined,
      );
      const verified = new Webhook(created.body.secret).verify(
        delivery?.body as string,
        delivery?.headers as Record<string, string>,
      );
      expect(verified).toMatchObject({
        type: 'participant.created',
        api_version: '2026-11-01',
        data: { participant_id: participant.id },
      });
      const deliveries = await until(async () => {
        const res = await t.api('GET', `/v1/webhook_endpoints/${created.body.id}/deliveries`);
        return res.body.data[0]?.status === 'delivered' ? res.body.data : undefined;
      });
      expect(deliveries[0]).toMatchObject({
        attempts: 1,
        last_status_code: 200,
        event_type: 'participant.created',
      });
      expect(deliveries[0].attempt_log).toHaveLength(1);
    } finally {
      await stop();
      await receiver.close();
    }
  });
});
