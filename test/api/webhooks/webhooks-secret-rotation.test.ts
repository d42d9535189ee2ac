import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { countRows } from '../../support/tables.ts';
import { until, webhookHarness } from '../../support/webhook-harness.ts';
import type { Received } from '../../support/webhook-receiver.ts';

// Rotating an endpoint's signing secret: the answer, and what receivers can verify after it.

const HOUR = 3_600_000;
const h = webhookHarness();

const rotate = (id: string, body?: unknown) =>
  h.t.api('POST', `/v1/webhook_endpoints/${id}/rotate_secret`, body);

describe('rotating the signing secret', () => {
  // [case, body, code, param]
  const rows: [string, unknown, string, string][] = [
    ['an overlap over a week', { overlap_hours: 169 }, 'value_too_large', 'overlap_hours'],
    ['a negative overlap', { overlap_hours: -1 }, 'value_too_small', 'overlap_hours'],
    ['a fractional overlap', { overlap_hours: 1.5 }, 'invalid_type', 'overlap_hours'],
    ['an unknown field', { secret: 'whsec_mine' }, 'unknown_field', 'secret'],
  ];

  it.each(rows)('refuses %s with 400 %s, and keeps the secret', async (_, body, code, param) => {
    const created = await h.endpoint('https://hooks.example.com/vouch');
    const before = await countRows(h.t.store.db);

    const res = await rotate(created.id, body);

    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(h.t.store.db)).toEqual(before);
  });

  it('answers a new secret, with the old one overlapping 24 hours by default', async () => {
    const created = await h.endpoint('https://hooks.example.com/vouch');
    const at = new Date();
    h.t.setNow(at);
    try {
      const res = await rotate(created.id);

      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.secret).toMatch(/^whsec_/);
      expect(res.body.secret).not.toBe(created.secret);
      expect(res.body.previous_secret_expires_at).toBe(new Date(at.getTime() + 24 * HOUR).toISOString());
      expect((await h.t.api('GET', `/v1/webhook_endpoints/${created.id}`)).raw.body).not.toContain('whsec_');
    } finally {
      h.t.setNow(null);
    }
  });

  it.each([0, 1, 168])('accepts an overlap of %i hours', async (hours) => {
    const created = await h.endpoint('https://hooks.example.com/vouch');
    const res = await rotate(created.id, { overlap_hours: hours });
    expect(res.status).toBe(200);
    expect(res.body.previous_secret_expires_at === null).toBe(hours === 0);
  });

  it('answers 404 for an unknown endpoint', async () => {
    expect((await rotate('whk_nope', {})).status).toBe(404);
  });
});

describe('signatures after a rotation, as receivers verify them', () => {
  /** An endpoint on a fresh receiver, a worker, and a way to get one delivery to it. */
  async function setUp() {
    const receiver = await h.receiver();
    const endpoint = await h.endpoint(receiver.url);
    h.worker();
    const oneDelivery = async (): Promise<Received> => {
      const participantId = await h.emit();
      return until(() => receiver.received.find((r) => r.body.includes(participantId)));
    };
    return { endpoint, oneDelivery };
  }
  const signatures = (r: Received) => String(r.headers['webhook-signature']).split(' ');
  const verifies = (secret: string, r: Received) => {
    try {
      new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };

  it('signs with both secrets during the overlap, the new one first, so either verifies', async () => {
    const { endpoint, oneDelivery } = await setUp();
    const rotated = (await rotate(endpoint.id, {})).body;

    const delivery = await oneDelivery();

    expect(signatures(delivery)).toHaveLength(2);
    expect(verifies(rotated.secret, delivery)).toBe(true);
    expect(verifies(endpoint.secret, delivery)).toBe(true);
    const byNew = new Webhook(rotated.secret).sign(
      String(delivery.headers['webhook-id']),
      new Date(Number(delivery.headers['webhook-timestamp']) * 1000),
      delivery.body,
    );
    expect(signatures(delivery)[0]).toBe(byNew);
  });

  it('signs with the new secret alone after a rotation with no overlap', async () => {
    const { endpoint, oneDelivery } = await setUp();
    const rotated = (await rotate(endpoint.id, { overlap_hours: 0 })).body;

    const delivery = await oneDelivery();

    expect(signatures(delivery)).toHaveLength(1);
    expect(verifies(rotated.secret, delivery)).toBe(true);
    expect(verifies(endpoint.secret, delivery)).toBe(false);
  });

  it('stops signing with the old secret once the overlap has passed', async () => {
    const { endpoint, oneDelivery } = await setUp();
    // Rotated 25 hours ago, with the default 24-hour overlap.
    h.t.setNow(new Date(Date.now() - 25 * HOUR));
    const rotated = (await rotate(endpoint.id, {})).body;
    h.t.setNow(null);

    const delivery = await oneDelivery();

    expect(signatures(delivery)).toHaveLength(1);
    expect(verifies(rotated.secret, delivery)).toBe(true);
    expect(verifies(endpoint.secret, delivery)).toBe(false);
  });

  it('drops the first secret at a second rotation', async () => {
    const { endpoint, oneDelivery } = await setUp();
    const second = (await rotate(endpoint.id, {})).body.secret;
    const third = (await rotate(endpoint.id, {})).body.secret;

    const delivery = await oneDelivery();

    expect(signatures(delivery)).toHaveLength(2);
    expect(verifies(third, delivery)).toBe(true);
    expect(verifies(second, delivery)).toBe(true);
    expect(verifies(endpoint.secret, delivery)).toBe(false);
  });
});
