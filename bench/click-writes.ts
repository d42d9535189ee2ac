// `npm run bench:click-writes`: what durable clicks cost a redirect. Two `vouch serve`, one with
// VOUCH_CLICK_WRITES=durable (each 302 waits for its click's group commit) and one with
// VOUCH_CLICK_WRITES=buffered (clicks written up to 50 ms after their 302), measured in
// alternating rounds as run.ts measures the baseline, so the machine's drift hits both alike.
// SQLite by default; DATABASE_URL=postgres://… runs both on PostgreSQL, each in a fresh schema.
// Both must have stored every click they answered once stopped with SIGTERM.
import { openStore } from '../src/store/database.ts';
import { LoadTarget } from './load.ts';
import { check, printTable, speed } from './report.ts';
import {
  API_KEY,
  benchDialect,
  cleanup,
  freshDatabase,
  redirectLimits,
  type Server,
  startVouchOn,
  stop,
} from './servers.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const AUTH = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

async function post<T>(server: Server, path: string, body: unknown): Promise<T> {
  const res = await fetch(server.url + path, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function aCode(server: Server): Promise<string> {
  const program = await post<{ id: string }>(server, '/v1/programs', {
    name: 'Bench',
    landing_url: 'https://example.com/landing',
    rewards: { referrer: { amount: 1000, currency: 'USD' } },
  });
  const participant = await post<{ referral_code: string }>(server, '/v1/participants', {
    program_id: program.id,
    external_id: 'bench-referrer',
    email: 'referrer@example.com',
  });
  return participant.referral_code;
}

async function countClicks(databaseUrl: string): Promise<number> {
  const store = await openStore(databaseUrl);
  try {
    const row = await store.db
      .selectFrom('clicks')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

const databases = [await freshDatabase(), await freshDatabase()] as const;
try {
  const dialect = benchDialect();
  process.stderr.write(
    `redirect with durable and buffered clicks on ${dialect}, ${ROUNDS} alternating rounds ...\n`,
  );
  const [durableDb, bufferedDb] = databases;
  const durable = await startVouchOn(durableDb.url, { ...redirectLimits(), VOUCH_CLICK_WRITES: 'durable' });
  const buffered = await startVouchOn(bufferedDb.url, {
    ...redirectLimits(),
    VOUCH_CLICK_WRITES: 'buffered',
  });
  const options = { connections: CONNECTIONS };
  const on = new LoadTarget(`${durable.url}/r/${await aCode(durable)}`, options, 302);
  const off = new LoadTarget(`${buffered.url}/r/${await aCode(buffered)}`, options, 302);
  await off.warmUp();
  await on.warmUp();
  for (let round = 0; round < ROUNDS; round++) {
    await off.run(SECONDS / ROUNDS);
    await on.run(SECONDS / ROUNDS);
  }
  await stop(durable);
  await stop(buffered);
  const [withCommit, without] = [on.result(), off.result()];
  const stored = { durable: await countClicks(durableDb.url), buffered: await countClicks(bufferedDb.url) };
  const ratio = Number((withCommit.rps / without.rps).toFixed(3));
  // Each round's ratio against the buffered round just before it: a drift slower than a round
  // cancels out, and the median ignores the rounds another process's burst spoiled.
  const offRates = off.rates();
  const roundRatios = on.rates().map((rate, i) => rate / (offRates[i] as number));
  const medianRatio = Number(
    ([...roundRatios].sort((a, b) => a - b)[Math.floor(roundRatios.length / 2)] as number).toFixed(3),
  );
  const errors = withCommit.failed + without.failed;
  const clicksOk = stored.durable === withCommit.expected && stored.buffered === without.expected;
  printTable(`Durable clicks: ${dialect}, ${CONNECTIONS} connections`, [
    ['GET /r/{code}, buffered', speed(without.rps, 'req/s', without.p50, without.p99)],
    ['GET /r/{code}, durable', speed(withCommit.rps, 'req/s', withCommit.p50, withCommit.p99)],
    ['durable / buffered', `${ratio} overall, ${medianRatio} median of ${roundRatios.length} rounds`],
    [
      'clicks stored / 302s',
      `${stored.durable} / ${withCommit.expected} durable, ${stored.buffered} / ${without.expected} buffered`,
      check(clicksOk),
    ],
    ['errors', String(errors), check(errors === 0)],
  ]);
  console.log(
    JSON.stringify({
      dialect,
      buffered_rps: Math.round(without.rps),
      durable_rps: Math.round(withCommit.rps),
      ratio,
      median_round_ratio: medianRatio,
      round_ratios: roundRatios.map((r) => Number(r.toFixed(3))),
      buffered_p50_ms: without.p50,
      buffered_p99_ms: without.p99,
      durable_p50_ms: withCommit.p50,
      durable_p99_ms: withCommit.p99,
      errors,
    }),
  );
  process.exitCode = errors === 0 && clicksOk ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanup();
  for (const database of databases) await database.drop();
}
