import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fanOut } from '../../../src/services/webhooks/webhook-dispatch.ts';
import { event, makeParticipant } from '../../support/factories.ts';
import { countRows } from '../../support/tables.ts';
import { bodies, sleep, until, webhookHarness } from '../../support/webhook-harness.ts';

// Which endpoint gets which message, what it looks like on the wire, and replaying a delivery.

const h = webhookHarness();

async function deliveryRows(endpointId: string) {
  return h.t.store.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .execute();
}

describe('the message on the wire', () => {
  it('sends the Standard Webhooks headers and the documented body', async () => {
    const receiver = await h.receiver();
    await h.endpoint(receiver.url);
    h.worker();

    const participantId = await h.emit();
    const [received] = await until(() => (receiver.received.length > 0 ? receiver.received : undefined));

    const body = JSON.parse(received?.body as string);
    expect(Object.keys(body).sort()).toEqual(['api_version', 'created_at', 'data', 'id', 'type']);
    expect(body).toEqual({
      id: expect.stringMatching(/^obx_/),
      type: 'participant.created',
      api_version: '2026-11-01',
      created_at: expect.any(String),
      data: { participant_id: participantId },
    });
    const outbox = await h.t.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(body.created_at).toBe(outbox.created_at);
    expect(received?.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': body.id,
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/=]+$/),
    });
    const timestamp = Number(received?.headers['webhook-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(10);
  });
});

describe('which endpoints get a message', () => {
  it('sends each endpoint the event types it asked for, and "*" all of them', async () => {
    const [participants, referrals, all, payouts] = await Promise.all([
      h.receiver(),
      h.receiver(),
      h.receiver(),
      h.receiver(),
    ]);
    await h.endpoint(participants.url, ['participant.created']);
    await h.endpoint(referrals.url, ['referral.created']);
    await h.endpoint(all.url, ['*']);
    const payoutEndpoint = await h.endpoint(payouts.url, ['payout.paid']);
    h.worker();

    const referrer = await makeParticipant(h.t, h.programId);
    const signup = await h.t.api(
      'POST',
      '/v1/events',
      event('signup', 'friend-1', { referral: { code: referrer.referral_code } }),
    );
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    const outbox = await h.t.store.db.selectFrom('outbox').select(['id', 'topic']).execute();
    await until(() => (all.received.length === outbox.length ? true : undefined));
    await sleep(300);

    const types = (r: typeof all) => bodies(r.received).map((b) => b.type);
    expect(types(participants).length).toBeGreaterThan(0);
    expect(types(participants).every((type) => type === 'participant.created')).toBe(true);
    expect(types(referrals)).toEqual(['referral.created']);
    expect(new Set(bodies(all.received).map((b) => b.id))).toEqual(new Set(outbox.map((m) => m.id)));
    expect(types(all)).toEqual(expect.arrayContaining(['participant.created', 'referral.created']));
    expect(payouts.received).toEqual([]);
    expect(await deliveryRows(payoutEndpoint.id)).toEqual([]);
  });

  it('does not send an endpoint the messages written before it was created', async () => {
    const before = await h.emit();
    await sleep(5);
    const receiver = await h.receiver();
    const endpoint = await h.endpoint(receiver.url);
    const after = await h.emit();
    h.worker();

    await until(() => (receiver.received.length > 0 ? true : undefined));
    await sleep(300);

    expect(bodies(receiver.received).map((b) => b.data.participant_id)).toEqual([after]);
    expect(receiver.received.map((r) => r.body).join()).not.toContain(before);
    expect(await h.deliveries(endpoint.id)).toHaveLength(1);
  });

  it('sends a disabled or deleted endpoint no new messages', async () => {
    const [control, disabled, deleted] = await Promise.all([h.receiver(), h.receiver(), h.receiver()]);
    await h.endpoint(control.url);
    const off = await h.endpoint(disabled.url);
    const gone = await h.endpoint(deleted.url);
    expect((await h.t.api('PATCH', `/v1/webhook_endpoints/${off.id}`, { status: 'disabled' })).status).toBe(
      200,
    );
    expect((await h.t.api('DELETE', `/v1/webhook_endpoints/${gone.id}`)).status).toBe(200);
    h.worker();

    await h.emit();
    await until(() => (control.received.length > 0 ? true : undefined));
    await sleep(300);

    expect(disabled.received).toEqual([]);
    expect(deleted.received).toEqual([]);
    expect(await deliveryRows(off.id)).toEqual([]);
    expect(await deliveryRows(gone.id)).toEqual([]);
  });

  it.each([
    ['deleted', (id: string) => h.t.api('DELETE', `/v1/webhook_endpoints/${id}`)],
    ['disabled', (id: string) => h.t.api('PATCH', `/v1/webhook_endpoints/${id}`, { status: 'disabled' })],
  ])('does not send the deliveries still pending when the endpoint is %s', async (_, stopIt) => {
    const receiver = await h.receiver();
    const endpoint = await h.endpoint(receiver.url);
    await h.emit();
    // Fanned out, not yet attempted.
    await h.t.store.transaction((trx) => fanOut(trx, new Date(), 100));
    expect(await deliveryRows(endpoint.id)).toHaveLength(1);
    expect((await stopIt(endpoint.id)).status).toBe(200);
    h.worker();

    const [row] = await until(async () => {
      const rows = await deliveryRows(endpoint.id);
      return rows[0]?.status === 'failed' ? rows : undefined;
    });

    expect(row).toMatchObject({ attempts: 0, last_error: 'endpoint disabled' });
    expect(receiver.received).toEqual([]);
  });
});

describe('replaying a delivery', () => {
  let receiver: Awaited<ReturnType<typeof h.receiver>>;
  let status: number;
  let endpointId: string;
  beforeEach(async () => {
    status = 200;
    receiver = await h.receiver(() => ({ status }));
    endpointId = (await h.endpoint(receiver.url)).id;
  });
  afterEach(() => {
    status = 200;
  });

  const settled = (want: 'delivered' | 'failed', attempts = 1) =>
    until(async () => {
      const [delivery] = await h.deliveries(endpointId);
      return delivery?.status === want && delivery.attempts === attempts ? delivery : undefined;
    });

  it('sends a delivered message again now, with the same webhook-id and body, counting every attempt', async () => {
    h.worker();
    await h.emit();
    const delivered = await settled('delivered');

    const res = await h.t.api('POST', `/v1/webhook_deliveries/${delivered.id}/replay`);

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The history stays: the first attempt is still in the log, and in the count.
    expect(res.body).toMatchObject({ id: delivered.id, status: 'pending', attempts: 1 });
    expect(res.body.attempt_log.map((a: { status_code: number }) => a.status_code)).toEqual([200]);
    await until(() => (receiver.received.length === 2 ? true : undefined));
    const [first, again] = receiver.received;
    expect(again?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(again?.headers['webhook-id']).toBe(delivered.message_id);
    expect(again?.body).toBe(first?.body);
    const replayed = await settled('delivered', 2);
    expect(replayed.attempt_log).toHaveLength(2);
  });

  it('gives a replayed delivery that fails a fresh schedule of retries', async () => {
    status = 410;
    h.worker();
    await h.emit();
    const failed = await settled('failed');
    status = 500;
    await h.t.api('PATCH', `/v1/webhook_endpoints/${endpointId}`, { status: 'enabled' });
    await h.t.api('POST', `/v1/webhook_deliveries/${failed.id}/replay`);

    const retrying = await until(async () => {
      const [delivery] = await h.deliveries(endpointId);
      return delivery?.attempts === 2 ? delivery : undefined;
    });

    // After the replay's first failure, the schedule's first delay (5 s ± 20%), not the second.
    expect(retrying.status).toBe('pending');
    const delay =
      Date.parse(retrying.next_attempt_at) - Date.parse(retrying.attempt_log[0]?.attempted_at ?? '');
    expect(delay).toBeGreaterThanOrEqual(3_900);
    expect(delay).toBeLessThanOrEqual(6_100);
  });

  it('sends a failed delivery again once its endpoint is fixed and re-enabled', async () => {
    status = 410;
    h.worker();
    await h.emit();
    const failed = await settled('failed');
    expect((await h.endpointNow(endpointId)).disabled_reason).toBe('gone');

    status = 200;
    await h.t.api('PATCH', `/v1/webhook_endpoints/${endpointId}`, { status: 'enabled' });
    expect((await h.t.api('POST', `/v1/webhook_deliveries/${failed.id}/replay`)).status).toBe(200);

    const delivered = await settled('delivered', 2);
    expect(delivered.attempt_log.map((a) => a.status_code)).toEqual([200, 410]);
    expect(receiver.received[1]?.body).toBe(receiver.received[0]?.body);
  });

  it('answers 409 delivery_in_progress while an attempt is under way, and writes nothing', async () => {
    const slow = await h.receiver(() => ({ status: 200, delayMs: 1_500 }));
    await h.t.api('PATCH', `/v1/webhook_endpoints/${endpointId}`, { url: slow.url });
    h.worker();
    await h.emit();
    await until(() => (slow.received.length > 0 ? true : undefined));
    const [inFlight] = await h.deliveries(endpointId);
    const before = await countRows(h.t.store.db);

    const res = await h.t.api('POST', `/v1/webhook_deliveries/${inFlight?.id}/replay`);

    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error).toMatchObject({ type: 'conflict', code: 'delivery_in_progress' });
    expect(await countRows(h.t.store.db)).toEqual(before);
    await settled('delivered');
    expect(slow.received).toHaveLength(1);
  });

  it('answers 409 endpoint_disabled while the endpoint is disabled or once it is deleted, and writes nothing', async () => {
    status = 410;
    h.worker();
    await h.emit();
    const failed = await settled('failed');
    const replay = () => h.t.api('POST', `/v1/webhook_deliveries/${failed.id}/replay`);
    const before = await countRows(h.t.store.db);

    const disabled = await replay();
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(409);
    expect(disabled.body.error).toMatchObject({ code: 'endpoint_disabled' });
    expect(disabled.body.error.message).toContain('disabled (gone)');

    await h.t.api('DELETE', `/v1/webhook_endpoints/${endpointId}`);
    const afterDelete = await countRows(h.t.store.db);
    const deleted = await replay();
    expect(deleted.status).toBe(409);
    expect(deleted.body.error.message).toContain('is deleted');
    expect(await countRows(h.t.store.db)).toEqual(afterDelete);
    expect(afterDelete).not.toEqual(before); // the delete itself wrote; the refused replays did not
  });

  it('answers 404 for an unknown delivery', async () => {
    const res = await h.t.api('POST', '/v1/webhook_deliveries/dlv_nope/replay');
    expect(res.status).toBe(404);
  });

  it('refuses a body: replay takes none', async () => {
    h.worker();
    await h.emit();
    const delivered = await settled('delivered');
    const before = await countRows(h.t.store.db);

    const res = await h.t.api('POST', `/v1/webhook_deliveries/${delivered.id}/replay`, { attempts: 0 });

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'unknown_field', param: 'attempts' });
    expect(await countRows(h.t.store.db)).toEqual(before);
  });
});

describe('listing deliveries', () => {
  it('filters by status, and refuses an unknown one', async () => {
    let calls = 0;
    const receiver = await h.receiver(() => ({ status: ++calls === 1 ? 500 : 200 }));
    const endpoint = await h.endpoint(receiver.url);
    h.worker();
    await h.emit();
    await h.emit();
    await until(() => (receiver.received.length === 2 ? true : undefined));
    await until(async () => ((await h.deliveries(endpoint.id, 'delivered')).length === 1 ? true : undefined));

    const pending = await h.deliveries(endpoint.id, 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ last_status_code: 500, attempts: 1 });
    expect(await h.deliveries(endpoint.id, 'failed')).toEqual([]);
    expect(await h.deliveries(endpoint.id)).toHaveLength(2);
    const bad = await h.t.api('GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries?status=lost`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_value', param: 'status' });
  });
});
