// What the webhooks send is what the API document's `webhooks` section says: a referral's whole
// life is delivered to a real receiver, and every body is validated against the served document.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/domain/webhook-events.ts';
import { loadConfig } from '../../../src/lib/config.ts';
import { startWebhookWorker } from '../../../src/worker/webhook-worker.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { DEV_ENV, until } from '../../support/webhook-harness.ts';
import { startReceiver } from '../../support/webhook-receiver.ts';

const silent = { info() {}, error() {}, warn() {}, debug() {} } as never;

let t: TestApp;
let doc: any;
beforeAll(async () => {
  t = await createTestApp(DEV_ENV);
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(() => t.close());

describe('the event catalogue in /openapi.json', () => {
  it('documents every event type with its signed body', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    const operation = doc.webhooks['reward.issued'].post;
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    const body = operation.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['id', 'type', 'api_version', 'created_at', 'data']);
    expect(body.properties.data.required).toContain('payout_id');
  });

  it('sends each event of a referral’s life exactly as documented', async () => {
    const receiver = await startReceiver();
    const gone = await startReceiver(() => ({ status: 410 }));
    const endpoint = (await t.api('POST', '/v1/webhook_endpoints', { url: receiver.url, events: ['*'] }))
      .body;
    await t.api('POST', '/v1/webhook_endpoints', { url: gone.url, events: ['participant.created'] });
    const stop = startWebhookWorker(t.store, loadConfig(DEV_ENV).webhooks, silent, () => new Date());
    try {
      const program = await makeProgram(t, {
        rewards: {
          referrer: { amount: 1000, currency: 'USD', kind: 'credit' },
          referee: { amount: 500, currency: 'USD' },
        },
        reward_hold_days: 0,
      });
      const referrer = await makeParticipant(t, program.id);
      await t.api('POST', '/v1/invites', {
        email: `${unique('friend')}@example.com`,
        participant_id: referrer.id,
      });
      const self = event('signup', referrer.external_id, { referral: { code: referrer.referral_code } });
      expect((await t.api('POST', '/v1/events', self)).body.result.outcome).toBe('referral_rejected');
      const friend = unique('friend');
      await t.api(
        'POST',
        '/v1/events',
        event('signup', friend, { referral: { code: referrer.referral_code } }),
      );
      const order = event('purchase', friend, { amount: 10_000, currency: 'USD' });
      const rewardIds: string[] = (await t.api('POST', '/v1/events', order)).body.result.reward_ids;
      for (const id of rewardIds) await t.api('POST', `/v1/rewards/${id}/approve`);
      const rewards = await Promise.all(
        rewardIds.map(async (id) => (await t.api('GET', `/v1/rewards/${id}`)).body),
      );
      const creditReward = rewards.find((r) => r.kind === 'credit');
      expect((await t.api('POST', `/v1/rewards/${creditReward.id}/redeem`)).status).toBe(200);
      const payout = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });
      expect(payout.status, JSON.stringify(payout.body)).toBe(201);
      await t.api('POST', `/v1/payouts/${payout.body.id}/confirm`);
      const refund = event('refund', friend, {
        amount: 5_000,
        currency: 'USD',
        purchase_external_id: order.external_id,
      });
      expect((await t.api('POST', '/v1/events', refund)).body.result.outcome).toBe('rewards_reversed');

      const expected = [
        'participant.created',
        'invite.created',
        'referral.rejected',
        'referral.created',
        'referral.qualified',
        'reward.created',
        'reward.approved',
        'reward.issued',
        'reward.redeemed',
        'payout.created',
        'payout.paid',
        'reward.reversed',
        'webhook_endpoint.disabled',
      ];
      const received = await until(() => {
        const types = new Set(receiver.received.map((r) => JSON.parse(r.body).type));
        return expected.every((type) => types.has(type)) ? receiver.received : undefined;
      });

      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats.default(ajv);
      const hook = new Webhook(endpoint.secret);
      for (const delivery of received) {
        const body = hook.verify(delivery.body, delivery.headers as Record<string, string>) as {
          type: string;
        };
        const schema = doc.webhooks[body.type]?.post.requestBody.content['application/json'].schema;
        expect(schema, body.type).toBeDefined();
        const valid = ajv.validate(schema, body);
        expect(valid, `${body.type}: ${ajv.errorsText()} in ${delivery.body}`).toBe(true);
      }
      // Both ways a reward is issued carry the same fields: a credit at approval, cash by a payout.
      const issued = received.map((r) => JSON.parse(r.body)).filter((b) => b.type === 'reward.issued');
      expect(issued.map((b) => [b.data.kind, b.data.payout_id === null]).sort()).toEqual([
        ['cash', false],
        ['credit', true],
      ]);
    } finally {
      await stop();
      await receiver.close();
      await gone.close();
    }
  });
});
