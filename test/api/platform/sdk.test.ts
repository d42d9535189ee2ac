// The typed SDK (sdk/client.ts) against a real listening server: a referral from enrolment to
// rewards, errors as typed bodies, and retries that apply a write once.

import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AnyWebhookEvent,
  createVouchClient,
  type VouchClient,
  type VouchError,
  verifyWebhook,
} from '../../../sdk/client.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { unique } from '../../support/factories.ts';

let t: TestApp;
let baseUrl: string;
let vouch: VouchClient;

beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  vouch = createVouchClient({ baseUrl, apiKey: t.key });
});
afterAll(() => t.close());

const programBody = (name = 'Give $10, get $10') => ({
  name,
  landing_url: 'https://shop.example.com/welcome',
  rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: { amount: 1000, currency: 'USD' } },
});

describe('the typed client', () => {
  it('runs a referral from enrolment to rewards, with typed answers', async () => {
    const program = await vouch.POST('/v1/programs', { body: programBody() });
    expect(program.response.status).toBe(201);
    if (!program.data) throw new Error(JSON.stringify(program.error));
    expectTypeOf(program.data.id).toEqualTypeOf<string>();

    const referrer = await vouch.POST('/v1/participants', {
      body: { program_id: program.data.id, external_id: unique('alice'), email: 'alice@example.com' },
    });
    const code = referrer.data?.referral_code;
    expect(code).toMatch(/^[A-Z0-9-]+$/);

    const bob = unique('bob');
    const signup = await vouch.POST('/v1/events', {
      body: {
        type: 'signup',
        external_id: unique('signup'),
        program_id: program.data.id,
        customer: { external_id: bob, email: 'bob@example.org' },
        referral: { code: code as string },
      },
    });
    expect(signup.data?.result.outcome).toBe('referral_created');
    const purchase = await vouch.POST('/v1/events', {
      body: {
        type: 'purchase',
        external_id: unique('order'),
        program_id: program.data.id,
        customer: { external_id: bob },
        amount: 4900,
        currency: 'USD',
      },
    });
    expect(purchase.data?.result.outcome).toBe('referral_qualified');

    const [referralId] = signup.data?.result.referral_ids ?? [];
    const referral = await vouch.GET('/v1/referrals/{id}', {
      params: { path: { id: referralId as string } },
    });
    expect(referral.data).toMatchObject({
      id: referralId,
      referrer_id: referrer.data?.id,
      status: 'qualified',
    });

    const rewards = await vouch.GET('/v1/rewards', { params: { query: { referral_id: referralId } } });
    expect(rewards.data?.data.map((r) => [r.side, r.amount, r.currency]).sort()).toEqual([
      ['referee', 1000, 'USD'],
      ['referrer', 1000, 'USD'],
    ]);
  });

  it('answers a refused request with the typed error body naming the field', async () => {
    const res = await vouch.POST('/v1/programs', {
      // @ts-expect-error landing_url is required: the compiler catches it before the server does.
      body: { name: 'No landing page', rewards: { referrer: { amount: 500, currency: 'USD' } } },
    });
    expect(res.response.status).toBe(400);
    expectTypeOf(res.error).toEqualTypeOf<VouchError | undefined>();
    expect(res.error?.error).toMatchObject({ code: 'missing_field', param: 'landing_url' });

    const missing = await vouch.GET('/v1/programs/{id}', { params: { path: { id: 'prg_0000' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe('resource_missing');
  });

  it('sends the key: without it the server answers 401', async () => {
    const anonymous = createVouchClient({ baseUrl, apiKey: 'sk_wrong' });
    const res = await anonymous.GET('/v1/programs');
    expect(res.response.status).toBe(401);
  });
});

describe('retries', () => {
  it('sends a write whose answer was lost again under the same Idempotency-Key, applying it once', async () => {
    const keys: (string | null)[] = [];
    let lost = 0;
    const client = createVouchClient({
      baseUrl,
      apiKey: t.key,
      // The request reaches the real server and commits; the answer is then lost on the way back.
      fetch: async (request) => {
        keys.push(request.headers.get('idempotency-key'));
        const response = await fetch(request);
        if (lost++ === 0) throw new TypeError('fetch failed: socket hang up');
        return response;
      },
    });
    const name = unique('once');
    const res = await client.POST('/v1/programs', { body: programBody(name) });
    expect(res.response.status).toBe(201);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    const programs = await vouch.GET('/v1/programs', { params: { query: { limit: 100 } } });
    expect(programs.data?.data.filter((p) => p.name === name)).toHaveLength(1);
  });

  it('retries a 503 and gives up after maxRetries, answering the last response', async () => {
    let calls = 0;
    const client = createVouchClient({
      baseUrl,
      apiKey: t.key,
      maxRetries: 1,
      fetch: async (request) => {
        calls++;
        await request.arrayBuffer();
        return Response.json(
          { error: { type: 'api_error', code: 'unavailable', message: 'Down for a moment.' } },
          { status: 503, headers: { 'retry-after': '0' } },
        );
      },
    });
    const res = await client.POST('/v1/programs', { body: programBody() });
    expect(calls).toBe(2);
    expect(res.response.status).toBe(503);
  });

  it('does not retry a request the server refused', async () => {
    let calls = 0;
    const client = createVouchClient({
      baseUrl,
      apiKey: t.key,
      fetch: (request) => {
        calls++;
        return fetch(request);
      },
    });
    const res = await client.GET('/v1/programs/{id}', { params: { path: { id: 'prg_0000' } } });
    expect(res.response.status).toBe(404);
    expect(calls).toBe(1);
  });

  it('keeps an Idempotency-Key the caller gives', async () => {
    const key = unique('my-key');
    const init = { body: programBody('keyed'), headers: { 'Idempotency-Key': key } };
    const sent = await vouch.POST('/v1/programs', init);
    const again = await vouch.POST('/v1/programs', init);
    expect(sent.response.status).toBe(201);
    expect(again.data?.id).toBe(sent.data?.id);
  });
});

describe('verifyWebhook', () => {
  const secret = `whsec_${Buffer.from('a secret of thirty-two bytes....').toString('base64')}`;
  const body = JSON.stringify({
    id: 'obx_01',
    type: 'reward.issued',
    api_version: '2026-11-01',
    created_at: '2026-11-26T00:00:00.000Z',
    data: {
      reward_id: 'rwd_1',
      participant_id: 'par_1',
      kind: 'cash',
      amount: 1000,
      currency: 'USD',
      code: null,
      payout_id: 'pay_1',
    },
  });
  const signed = (payload: string) => {
    const at = new Date();
    return {
      'Webhook-Id': 'obx_01',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('obx_01', at, payload),
    };
  };

  it('returns the event of a signed body, typed by its type', () => {
    const received: AnyWebhookEvent = verifyWebhook(secret, body, signed(body));
    if (received.type !== 'reward.issued') throw new Error(`unexpected ${received.type}`);
    expectTypeOf(received.data.amount).toEqualTypeOf<number>();
    expect(received.data).toMatchObject({ amount: 1000, payout_id: 'pay_1' });
  });

  it('throws on a body changed after signing', () => {
    const headers = signed(body);
    expect(() => verifyWebhook(secret, body.replace('1000', '9000'), headers)).toThrow();
  });
});
