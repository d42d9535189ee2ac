import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/lib/config.ts';
import { bodies, Clock, DAY, DEV_ENV, sleep, until, webhookHarness } from '../../support/webhook-harness.ts';

// What a delivery attempt's outcome leads to: retries on schedule, giving up, disabling the
// endpoint, timeouts, redirects, private targets, and one slow endpoint beside a fast one.
// Receivers are real HTTP servers; the worker's clock is moved ahead to reach retries.

const h = webhookHarness();
const ms = (iso: string) => new Date(iso).getTime();

describe('retries', () => {
  it('retries a failed delivery after ~5 s then ~5 min, and delivers it with the same webhook-id and body', async () => {
    let calls = 0;
    const receiver = await h.receiver(() => ({ status: ++calls <= 2 ? 500 : 200 }));
    const endpoint = await h.endpoint(receiver.url);
    const clock = new Clock();
    h.worker({}, clock);

    const participantId = await h.emit();
    const [first] = await until(async () => {
      const list = await h.deliveries(endpoint.id);
      return list[0]?.attempts === 1 ? list : undefined;
    });
    expect(first).toMatchObject({ status: 'pending', last_status_code: 500, delivered_at: null });
    const firstWait =
      ms(first?.next_attempt_at as string) - ms(first?.attempt_log[0]?.attempted_at as string);
    expect(firstWait).toBeGreaterThanOrEqual(4_000);
    expect(firstWait).toBeLessThanOrEqual(6_000);
    expect((await h.endpointNow(endpoint.id)).failing_since).toEqual(first?.attempt_log[0]?.attempted_at);
    // Not before it is due.
    await sleep(500);
    expect(receiver.received).toHaveLength(1);

    clock.reach(first?.next_attempt_at as string);
    const [second] = await until(async () => {
      const list = await h.deliveries(endpoint.id);
      return list[0]?.attempts === 2 ? list : undefined;
    });
    const secondWait =
      ms(second?.next_attempt_at as string) - ms(second?.attempt_log[0]?.attempted_at as string);
    expect(secondWait).toBeGreaterThanOrEqual(240_000);
    expect(secondWait).toBeLessThanOrEqual(360_000);

    clock.reach(second?.next_attempt_at as string);
    const [done] = await until(async () => {
      const list = await h.deliveries(endpoint.id, 'delivered');
      return list.length > 0 ? list : undefined;
    });

    expect(done).toMatchObject({ attempts: 3, last_status_code: 200, last_error: null });
    expect(done?.attempt_log.map((a) => a.status_code)).toEqual([200, 500, 500]);
    expect(receiver.received).toHaveLength(3);
    const [a, b, c] = receiver.received;
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([done?.message_id]),
    );
    expect(b?.body).toBe(a?.body);
    expect(c?.body).toBe(a?.body);
    expect(bodies(receiver.received)[0]).toMatchObject({
      id: done?.message_id,
      data: { participant_id: participantId },
    });
    // A success clears the endpoint's failure record.
    expect((await h.endpointNow(endpoint.id)).failing_since).toBeNull();
  });

  it('gives up after the tenth attempt, about three days on, and leaves the endpoint enabled', async () => {
    const receiver = await h.receiver(() => ({ status: 503 }));
    const endpoint = await h.endpoint(receiver.url);
    const clock = new Clock();
    h.worker({}, clock);
    const started = Date.now();

    await h.emit();
    for (let attempt = 1; attempt <= 9; attempt++) {
      const [pending] = await until(async () => {
        const list = await h.deliveries(endpoint.id);
        return list[0]?.attempts === attempt ? list : undefined;
      });
      expect(pending?.status).toBe('pending');
      clock.reach(pending?.next_attempt_at as string);
    }
    const [failed] = await until(async () => {
      const list = await h.deliveries(endpoint.id, 'failed');
      return list.length > 0 ? list : undefined;
    });

    expect(failed).toMatchObject({ attempts: 10, last_status_code: 503 });
    expect(failed?.attempt_log).toHaveLength(10);
    expect(receiver.received).toHaveLength(10);
    const span = ms(failed?.attempt_log[0]?.attempted_at as string) - started;
    expect(span / 3_600_000).toBeGreaterThan(61.6 * 0.8);
    expect(span / 3_600_000).toBeLessThan(61.6 * 1.2 + 1);
    expect(await h.endpointNow(endpoint.id)).toMatchObject({ status: 'enabled', disabled_reason: null });
    // Given up means no more attempts, whatever the time.
    clock.offset += 30 * DAY;
    await sleep(500);
    expect(receiver.received).toHaveLength(10);
  });
});

describe('disabling a failing endpoint', () => {
  it('fails the delivery at once on 410 Gone, disables the endpoint as gone, and announces it', async () => {
    const gone = await h.receiver(() => ({ status: 410 }));
    const watcher = await h.receiver();
    const endpoint = await h.endpoint(gone.url);
    await h.endpoint(watcher.url, ['webhook_endpoint.disabled']);
    h.worker();

    await h.emit();
    const [announced] = await until(() =>
      watcher.received.length > 0 ? bodies(watcher.received) : undefined,
    );

    expect(announced).toMatchObject({
      type: 'webhook_endpoint.disabled',
      data: { webhook_endpoint_id: endpoint.id, reason: 'gone' },
    });
    expect(await h.endpointNow(endpoint.id)).toMatchObject({ status: 'disabled', disabled_reason: 'gone' });
    expect(await h.deliveries(endpoint.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, last_status_code: 410 }),
    ]);
    // Nothing more reaches it.
    await h.emit();
    await sleep(500);
    expect(gone.received).toHaveLength(1);
    expect(await h.deliveries(endpoint.id)).toHaveLength(1);
  });

  it('disables an endpoint that has failed with no success for five days, and announces it', async () => {
    const failing = await h.receiver(() => ({ status: 500 }));
    const watcher = await h.receiver();
    const endpoint = await h.endpoint(failing.url);
    await h.endpoint(watcher.url, ['webhook_endpoint.disabled']);
    const clock = new Clock();
    h.worker({}, clock);

    await h.emit();
    const since = await until(async () => (await h.endpointNow(endpoint.id)).failing_since ?? undefined);
    clock.offset += 5 * DAY;
    const [announced] = await until(() =>
      watcher.received.length > 0 ? bodies(watcher.received) : undefined,
    );

    expect(announced).toMatchObject({
      type: 'webhook_endpoint.disabled',
      data: { webhook_endpoint_id: endpoint.id, reason: 'failing' },
    });
    expect(await h.endpointNow(endpoint.id)).toMatchObject({
      status: 'disabled',
      disabled_reason: 'failing',
      failing_since: since,
    });
    expect(failing.received).toHaveLength(2);
  });

  it('counts the five days from the last success', async () => {
    let status = 500;
    const receiver = await h.receiver(() => ({ status }));
    const endpoint = await h.endpoint(receiver.url);
    const clock = new Clock();
    h.worker({}, clock);

    await h.emit();
    await until(async () => (await h.endpointNow(endpoint.id)).failing_since ?? undefined);
    status = 200;
    clock.offset += 1 * DAY;
    await until(async () => ((await h.deliveries(endpoint.id, 'delivered')).length > 0 ? true : undefined));
    expect((await h.endpointNow(endpoint.id)).failing_since).toBeNull();
    status = 500;
    await h.emit();
    const since = await until(async () => (await h.endpointNow(endpoint.id)).failing_since ?? undefined);
    clock.offset += 4 * DAY + 12 * 3_600_000;
    await until(async () =>
      (await h.deliveries(endpoint.id, 'pending'))[0]?.attempts === 2 ? true : undefined,
    );

    // 5.5 days after the first failure, but only 4.5 into the current run of failures.
    expect(await h.endpointNow(endpoint.id)).toMatchObject({ status: 'enabled', failing_since: since });
  });
});

describe('what counts as a failed attempt', () => {
  it('gives up on an answer slower than VOUCH_WEBHOOK_TIMEOUT_MS, and retries it', async () => {
    const receiver = await h.receiver(() => ({ status: 200, delayMs: 3_000 }));
    const endpoint = await h.endpoint(receiver.url);
    h.worker({ timeoutMs: 500 });

    await h.emit();
    const [timedOut] = await until(async () => {
      const list = await h.deliveries(endpoint.id, 'pending');
      return list[0]?.attempts === 1 ? list : undefined;
    });

    expect(timedOut).toMatchObject({ last_status_code: null, last_error: 'timed out after 500 ms' });
    expect(timedOut?.attempt_log[0]?.duration_ms).toBeGreaterThanOrEqual(450);
    expect(timedOut?.attempt_log[0]?.duration_ms).toBeLessThan(2_000);
    expect(await h.deliveries(endpoint.id, 'delivered')).toEqual([]);
  });

  it.each([301, 302, 307, 308])('does not follow a %i redirect: it is a failed attempt', async (status) => {
    const target = await h.receiver();
    const redirector = await h.redirector(status, target.url);
    const endpoint = await h.endpoint(redirector.url);
    h.worker();

    await h.emit();
    const [redirected] = await until(async () => {
      const list = await h.deliveries(endpoint.id);
      return list[0]?.attempts === 1 ? list : undefined;
    });

    expect(redirected).toMatchObject({ status: 'pending', last_status_code: status });
    expect(redirector.received).toHaveLength(1);
    await sleep(200);
    expect(target.received).toEqual([]);
    expect((await h.endpointNow(endpoint.id)).failing_since).not.toBeNull();
  });

  it.each([
    ['an unreachable port', 'http://127.0.0.1:1/hooks'],
    ['a name that does not resolve', 'http://vouch-test.invalid/hooks'],
  ])('retries after a network error: %s', async (_, url) => {
    const endpoint = await h.endpoint(url);
    h.worker();

    await h.emit();
    const [failed] = await until(async () => {
      const list = await h.deliveries(endpoint.id);
      return list[0]?.attempts === 1 ? list : undefined;
    });

    expect(failed).toMatchObject({ status: 'pending', last_status_code: null });
    expect(failed?.last_error).toEqual(expect.any(String));
    expect(failed?.attempt_log[0]?.error).toBe(failed?.last_error);
  });
});

describe('private targets at delivery time', () => {
  // Saved while private targets were allowed; delivered by a worker that allows none.
  const strict = { ...loadConfig(DEV_ENV).webhooks, allowPrivate: false };

  it.each([
    ['an IPv4 loopback literal', (port: string) => `http://127.0.0.1:${port}/hooks`],
    ['localhost, resolved as the socket connects', (port: string) => `http://localhost:${port}/hooks`],
    ['an IPv4-mapped IPv6 loopback', (port: string) => `http://[::ffff:127.0.0.1]:${port}/hooks`],
    ['0.0.0.0', (port: string) => `http://0.0.0.0:${port}/hooks`],
  ])('refuses %s: the receiver gets nothing and the attempt says why', async (_, urlFor) => {
    const receiver = await h.receiver();
    const endpoint = await h.endpoint(urlFor(new URL(receiver.url).port));
    h.worker(strict);

    await h.emit();
    const [refused] = await until(async () => {
      const list = await h.deliveries(endpoint.id);
      return list[0]?.attempts === 1 ? list : undefined;
    });

    expect(refused).toMatchObject({ status: 'pending', last_status_code: null });
    expect(refused?.attempt_log[0]?.error).toMatch(/not a public address/);
    await sleep(200);
    expect(receiver.received).toEqual([]);
  });
});

describe('a slow endpoint beside a fast one', () => {
  it('delivers all 20 events to the fast endpoint while the slow one takes 1.5 s each, 2 at a time', async () => {
    const arrivals: number[] = [];
    const slow = await h.receiver(() => {
      arrivals.push(Date.now());
      return { status: 200, delayMs: 1_500 };
    });
    const fast = await h.receiver();
    await h.endpoint(slow.url);
    await h.endpoint(fast.url);
    for (let i = 0; i < 20; i++) await h.emit();
    const started = Date.now();

    const stop = h.worker({ perEndpoint: 2 });
    await until(() => (fast.received.length === 20 ? true : undefined), 8_000);
    const fastDone = Date.now() - started;
    const slowSoFar = slow.received.length;
    await stop();

    // The slow endpoint alone needs 20 × 1.5 s / 2 = 15 s.
    expect(fastDone).toBeLessThan(4_000);
    expect(slowSoFar).toBeLessThanOrEqual(2 * Math.ceil(fastDone / 1_500) + 2);
    // Never more than its 2 slots at once: no 3 arrivals within one answer's time.
    for (let i = 2; i < arrivals.length; i++) {
      expect((arrivals[i] as number) - (arrivals[i - 2] as number)).toBeGreaterThan(1_400);
    }
    expect(new Set(bodies(fast.received).map((b) => b.id)).size).toBe(20);
  });
});

describe('slow endpoints holding every slot', () => {
  it('still give a fast endpoint the next free slot, ahead of their own older backlog', async () => {
    const slowA = await h.receiver(() => ({ status: 200, delayMs: 1_500 }));
    const slowB = await h.receiver(() => ({ status: 200, delayMs: 1_500 }));
    await h.endpoint(slowA.url);
    await h.endpoint(slowB.url);
    // 8 events each: at 2 slots per endpoint and 1.5 s per answer, 6 s of backlog.
    for (let i = 0; i < 8; i++) await h.emit();
    h.worker({ concurrency: 4, perEndpoint: 2 });
    await until(() => (slowA.received.length + slowB.received.length >= 4 ? true : undefined));

    // Every slot is taken; a fast endpoint's event arrives behind the slow ones' older backlog.
    const fast = await h.receiver();
    await h.endpoint(fast.url);
    const sent = Date.now();
    await h.emit();
    await until(() => (fast.received.length === 1 ? true : undefined), 10_000);

    // The next slot to free (within one slow answer) goes to it, not after the 6 s backlog.
    expect(Date.now() - sent).toBeLessThan(3_000);
    expect(slowA.received.length + slowB.received.length).toBeLessThan(16);
  });
});
