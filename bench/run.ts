// `npm run bench`: the redirect against a bare node:http 302, click durability, the share page,
// the portal and the share widget's API against the same 302 (and the widget script's gzipped
// size), event ingestion on SQLite with fraud rules off and on, and webhook deliveries per second. The last stdout line is one JSON object for scripts; the exit code is
// non-zero only when data was lost or broken or requests failed, never merely because a target was missed.
import { gzipSync } from 'node:zlib';
import type autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { FRAUD_RULES } from '../src/domain/fraud.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { openStore } from '../src/store/database.ts';
import { LoadTarget } from './load.ts';
import { check, printTable, speed, target } from './report.ts';
import { API_KEY, cleanup, type Server, startBaseline, startVouch, stop } from './servers.ts';
import { benchWebhooks } from './webhooks.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// The machine's speed drifts by tens of percent within a minute; alternating short runs of the
// baseline and vouch exposes both to the same drift, so their ratio holds still.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 20_000);
const AUTH = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
const log = (line: string) => process.stderr.write(`${line}\n`);

async function post<T>(server: Server, path: string, body: unknown): Promise<T> {
  const res = await fetch(server.url + path, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const REFERRERS = 100;
// Every rule off: the same program as the default one, to measure what screening costs.
const FRAUD_OFF = {
  rules: Object.fromEntries(FRAUD_RULES.map((rule) => [rule, { enabled: false }])),
};

interface Referrer {
  id: string;
  referral_code: string;
}

/** Through the API, as a customer would: a program paying both sides, and its referrers. */
async function seed(server: Server, referrers = 1, fraud: object = {}): Promise<Referrer[]> {
  const usd = (amount: number) => ({ amount, currency: 'USD' });
  const program = await post<{ id: string }>(server, '/v1/programs', {
    name: 'Bench',
    landing_url: 'https://example.com/landing',
    rewards: { referrer: usd(1000), referee: usd(500) },
    attribution_window_days: 30,
    fraud,
  });
  const made: Referrer[] = [];
  for (let i = 0; i < referrers; i++) {
    const body = {
      program_id: program.id,
      external_id: `bench-referrer-${i}`,
      email: `referrer${i}@example.com`,
    };
    made.push(await post<Referrer>(server, '/v1/participants', body));
  }
  return made;
}

/** SIGTERM first, then count: vouch writes its buffered clicks before it exits. */
async function stopAndCount(server: Server, table: string): Promise<number> {
  const code = await stop(server);
  if (code !== 0) throw new Error(`vouch serve did not exit cleanly on SIGTERM: ${code}`);
  const db = new Database(server.dbFile as string, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

async function benchRedirect() {
  log(`redirect: node:http 302 and vouch GET /r/{code}, ${ROUNDS} alternating rounds ...`);
  const base = await startBaseline();
  const vouch = await startVouch();
  const options = { connections: CONNECTIONS };
  const baseline = new LoadTarget(`${base.url}/r/BASELINE`, options, 302);
  const [referrer] = await seed(vouch);
  const redirect = new LoadTarget(`${vouch.url}/r/${referrer?.referral_code}`, options, 302);
  await baseline.warmUp();
  await redirect.warmUp();
  for (let round = 0; round < ROUNDS; round++) {
    await baseline.run(SECONDS / ROUNDS);
    await redirect.run(SECONDS / ROUNDS);
  }
  await stop(base);
  return {
    baseline: baseline.result(),
    redirect: redirect.result(),
    clicks: await stopAndCount(vouch, 'clicks'),
  };
}

/** A referrer's portal session, as their browser holds it after opening the sign-in link. */
async function portalCookie(server: Server, participantId: string): Promise<string> {
  const { url } = await post<{ url: string }>(server, '/v1/portal_sessions', {
    participant_id: participantId,
  });
  const opened = await fetch(`${server.url}${new URL(url).pathname}`, { redirect: 'manual' });
  const cookie = opened.headers.getSetCookie().find((c) => c.startsWith('vouch_portal='));
  if (!cookie) throw new Error(`the sign-in link answered ${opened.status} without a session`);
  return cookie.split(';')[0] as string;
}

/** The share widget's script as a browser gets it (gzip on the wire), in bytes. */
async function widgetScriptGzipBytes(server: Server): Promise<number> {
  const res = await fetch(`${server.url}/widget.js`);
  if (!res.ok) throw new Error(`GET /widget.js: ${res.status}`);
  return gzipSync(Buffer.from(await res.arrayBuffer()), { level: 9 }).length;
}

/**
 * The friend's share page, the referrer's portal and the share widget's API (what every
 * <vouch-referral> asks on load), rendered per request, against the bare 302.
 */
async function benchPages() {
  log(
    `pages: node:http 302, GET /s/{code}, GET /p/ and GET /w/v1/referrer, ${ROUNDS} alternating rounds ...`,
  );
  const base = await startBaseline();
  const vouch = await startVouch();
  const [referrer] = await seed(vouch);
  if (!referrer) throw new Error('no referrer seeded');
  const options = { connections: CONNECTIONS };
  const baseline = new LoadTarget(`${base.url}/r/BASELINE`, options, 302);
  const share = new LoadTarget(`${vouch.url}/s/${referrer.referral_code}`, options, 200);
  const headers = { cookie: await portalCookie(vouch, referrer.id), 'accept-language': 'de-DE,de;q=0.9' };
  const portal = new LoadTarget(`${vouch.url}/p/`, { ...options, headers }, 200);
  const { widget_token } = await post<{ widget_token: string }>(vouch, '/v1/portal_sessions', {
    participant_id: referrer.id,
  });
  const widgetHeaders = { authorization: `Bearer ${widget_token}`, 'accept-language': 'de-DE,de;q=0.9' };
  const widget = new LoadTarget(`${vouch.url}/w/v1/referrer`, { ...options, headers: widgetHeaders }, 200);
  const loads = [baseline, share, portal, widget];
  for (const load of loads) await load.warmUp();
  for (let round = 0; round < ROUNDS; round++) {
    for (const load of loads) await load.run(SECONDS / ROUNDS);
  }
  const widgetGzip = await widgetScriptGzipBytes(vouch);
  await stop(base);
  await stop(vouch);
  return {
    baseline: baseline.result(),
    share: share.result(),
    portal: portal.result(),
    widget: widget.result(),
    widgetGzip,
  };
}

/**
 * Sign-ups as a shop's backend sends them: the customer's email, IP, user agent and device id,
 * spread over the referrers' codes, so every fraud rule has something to measure.
 */
async function benchEvents(fraud: 'on' | 'off') {
  log(`events: sign-up + purchase pairs on POST /v1/events, fraud rules ${fraud} ...`);
  const vouch = await startVouch();
  const codes = (await seed(vouch, REFERRERS, fraud === 'on' ? {} : FRAUD_OFF)).map((r) => r.referral_code);
  // Each connection sends a sign-up, waits for its answer, then the purchase of the same customer;
  // the counter is shared, so every pair has its own n.
  let pairs = 0;
  let qualified = 0;
  const signup = (n: number) => ({
    type: 'signup',
    external_id: `s-${n}`,
    referral: { code: codes[n % REFERRERS] },
    context: {
      ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      user_agent: 'Mozilla/5.0 (bench)',
      device_id: `device-${n}`,
    },
  });
  const purchase = (n: number) => ({
    type: 'purchase',
    external_id: `o-${n}`,
    amount: 5000,
    currency: 'USD',
  });
  const send =
    (event: (n: number) => object, first: boolean) => (req: autocannon.Request, context: object) => {
      const pair = context as { n: number };
      if (first) pair.n = ++pairs;
      const customer = { external_id: `c-${pair.n}`, email: `customer.${pair.n}@example.com` };
      return { ...req, body: JSON.stringify({ ...event(pair.n), customer }) };
    };
  const requests: autocannon.Request[] = [
    { method: 'POST', path: '/v1/events', setupRequest: send(signup, true) },
    {
      method: 'POST',
      path: '/v1/events',
      setupRequest: send(purchase, false),
      onResponse: (status, body) => {
        if (status === 201 && body.includes('"outcome":"referral_qualified"')) qualified++;
      },
    },
  ];
  const options = { connections: CONNECTIONS, headers: AUTH, requests };
  const target = new LoadTarget(`${vouch.url}/v1/events`, options, 201, 2 * CONNECTIONS);
  await target.run(SECONDS);
  const rewards = await stopAndCount(vouch, 'rewards');
  // Concurrent ingestion must leave the ledger whole, whatever the speed.
  const store = await openStore(`sqlite:${vouch.dbFile}`);
  const ledger = await verifyLedger(store.db).finally(() => store.close());
  return { load: target.result(), pairs, qualified, rewards, ledgerProblems: ledger.problems.length };
}

try {
  const { baseline, redirect, clicks } = await benchRedirect();
  const pages = await benchPages();
  const off = await benchEvents('off');
  const { load: events, pairs, qualified, rewards, ledgerProblems } = await benchEvents('on');
  log(`webhooks: vouch worker delivering ${WEBHOOKS} messages to a local receiver ...`);
  const hooks = await benchWebhooks(WEBHOOKS);
  const ratio = Number((redirect.rps / baseline.rps).toFixed(3));
  const result = {
    redirect_rps: Math.round(redirect.rps),
    baseline_rps: Math.round(baseline.rps),
    redirect_ratio: ratio,
    redirect_p50_ms: redirect.p50,
    redirect_p99_ms: redirect.p99,
    baseline_p50_ms: baseline.p50,
    baseline_p99_ms: baseline.p99,
    redirect_errors: redirect.failed + baseline.failed,
    clicks_recorded: clicks,
    clicks_lost: Math.max(0, redirect.expected - clicks),
    events_per_s: Math.round(events.rps),
    events_per_s_fraud_off: Math.round(off.load.rps),
    events_p50_ms: events.p50,
    events_p99_ms: events.p99,
    event_errors: events.failed,
    event_pairs: pairs,
    purchases_qualified: qualified,
    rewards_created: rewards,
    ledger_problems: ledgerProblems,
    share_page_rps: Math.round(pages.share.rps),
    portal_page_rps: Math.round(pages.portal.rps),
    share_page_ratio: Number((pages.share.rps / pages.baseline.rps).toFixed(3)),
    portal_page_ratio: Number((pages.portal.rps / pages.baseline.rps).toFixed(3)),
    widget_api_rps: Math.round(pages.widget.rps),
    widget_api_ratio: Number((pages.widget.rps / pages.baseline.rps).toFixed(3)),
    widget_js_gzip_bytes: pages.widgetGzip,
    page_errors: pages.share.failed + pages.portal.failed + pages.widget.failed,
    webhook_deliveries_per_s: hooks.deliveriesPerS,
    webhook_messages: hooks.messages,
    webhook_received: hooks.received,
    webhook_undelivered: hooks.undelivered,
    webhook_bad_signatures: hooks.badSignatures,
    connections: CONNECTIONS,
    // How long each timed run lasted: it is sized from the warm-up, so it only approximates SECONDS.
    seconds: Object.fromEntries(
      Object.entries({ baseline, redirect, events }).map(([name, load]) => [
        name,
        Number(load.seconds.toFixed(1)),
      ]),
    ),
  };
  const clicksOk = clicks === redirect.expected && result.redirect_errors === 0;
  // Every pair must have been answered 201 twice, qualified its referral and made two rewards.
  const pairsOk = events.expected === 2 * pairs && qualified === pairs && rewards === 2 * pairs;
  const hooksOk = hooks.unique === hooks.messages && hooks.undelivered === 0 && hooks.badSignatures === 0;
  printTable(
    `Vouch bench: ${CONNECTIONS} connections, ~${SECONDS} s of timed runs per server after a warm-up`,
    [
      ['baseline node:http 302', speed(baseline.rps, 'req/s', baseline.p50, baseline.p99)],
      ['vouch GET /r/{code}', speed(redirect.rps, 'req/s', redirect.p50, redirect.p99)],
      ['redirect / baseline', String(ratio), target(ratio >= 0.6, '>= 0.6')],
      ['clicks recorded / 302s', `${clicks} / ${redirect.expected}`, check(clicksOk)],
      [
        'vouch GET /s/{code} (share page)',
        speed(pages.share.rps, 'pages/s', pages.share.p50, pages.share.p99),
        '',
      ],
      [
        'vouch GET /p/ (portal, signed in)',
        speed(pages.portal.rps, 'pages/s', pages.portal.p50, pages.portal.p99),
        '',
      ],
      [
        'vouch GET /w/v1/referrer (widget API)',
        speed(pages.widget.rps, 'req/s', pages.widget.p50, pages.widget.p99),
        '',
      ],
      ['widget.js gzipped', `${pages.widgetGzip} bytes`, target(pages.widgetGzip <= 20 * 1024, '<= 20 KB')],
      [
        '/s/, /p/ and /w/v1 / baseline',
        `${result.share_page_ratio} / ${result.portal_page_ratio} / ${result.widget_api_ratio}`,
        check(result.page_errors === 0),
      ],
      [
        'events ingested',
        speed(events.rps, 'events/s', events.p50, events.p99),
        target(events.rps >= 5000, '>= 5000'),
      ],
      ['events, fraud rules off', speed(off.load.rps, 'events/s', off.load.p50, off.load.p99), ''],
      ['event errors', String(events.failed + off.load.failed), check(events.failed + off.load.failed === 0)],
      ['pairs / qualified / rewards', `${pairs} / ${qualified} / ${rewards}`, check(pairsOk)],
      [
        'webhook deliveries',
        `${hooks.deliveriesPerS} deliveries/s (${hooks.unique} of ${hooks.messages}, ${hooks.received} received)`,
        target(hooks.deliveriesPerS >= 1000, '>= 1000'),
      ],
      ['webhooks lost / bad signatures', `${hooks.undelivered} / ${hooks.badSignatures}`, check(hooksOk)],
      [
        'ledger verify problems',
        String(ledgerProblems + off.ledgerProblems),
        check(ledgerProblems + off.ledgerProblems === 0),
      ],
    ],
  );
  console.log(JSON.stringify(result));
  const offOk = off.load.failed === 0 && off.ledgerProblems === 0 && off.qualified === off.pairs;
  process.exitCode =
    clicksOk &&
    result.page_errors === 0 &&
    events.failed === 0 &&
    pairsOk &&
    ledgerProblems === 0 &&
    offOk &&
    hooksOk
      ? 0
      : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanup();
}
