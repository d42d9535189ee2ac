// `npm run bench:click-loss`: how many answered clicks a crash loses. A real `vouch serve` takes
// redirects from several concurrent clients; after a few seconds it is killed with SIGKILL in the
// middle of the load, started again on the same database, and every click id a client received
// in a 302 is looked up. A 302 whose click is not stored is a lost click; the loss window is how
// many milliseconds of that traffic the lost clicks amount to.
//
// SQLite by default (a fresh file per kill); with DATABASE_URL=postgres://… a fresh schema in that
// database per kill, dropped afterwards. VOUCH_CLICK_WRITES is passed to the server as is.
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../src/store/database.ts';
import { printTable } from './report.ts';
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

const CLIENTS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const KILLS = Number(process.env.BENCH_KILLS ?? 3);
const SERVER_ENV = {
  ...redirectLimits(),
  ...(process.env.VOUCH_CLICK_WRITES ? { VOUCH_CLICK_WRITES: process.env.VOUCH_CLICK_WRITES } : {}),
};
const AUTH = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
const log = (line: string) => process.stderr.write(`${line}\n`);

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

interface Answered {
  /** The click id of every 302 a client received, and when (ms since the load began). */
  ids: string[];
  at: number[];
  /** Any other status, counted but not expected. */
  otherStatus: number;
}

/**
 * One client: a kept-alive connection sending one redirect at a time until the server is gone.
 * Only a 302 that arrived in full counts as answered.
 */
async function client(url: string, started: number, answered: Answered, stopping: { now: boolean }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    while (!stopping.now) {
      const reply = await new Promise<{ status: number; location: string } | null>((resolve) => {
        const req = request(url, { agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? '') }),
          );
          res.on('error', () => resolve(null));
        });
        req.on('error', () => resolve(null));
        req.end();
      });
      if (!reply) return;
      if (reply.status !== 302) {
        answered.otherStatus++;
        continue;
      }
      const id = new URL(reply.location).searchParams.get('vouch_click');
      if (id) {
        answered.ids.push(id);
        answered.at.push(performance.now() - started);
      }
    }
  } finally {
    agent.destroy();
  }
}

async function storedClickIds(databaseUrl: string): Promise<Set<string>> {
  const store = await openStore(databaseUrl);
  try {
    const rows = await store.db.selectFrom('clicks').select('id').execute();
    return new Set(rows.map((row) => row.id));
  } finally {
    await store.close();
  }
}

interface Kill {
  answered: number;
  stored: number;
  lost: number;
  rps: number;
  /** The lost clicks as milliseconds of the traffic measured. */
  windowMs: number;
  /** From the first lost 302 to the last 302 before the kill. */
  spanMs: number;
  otherStatus: number;
}

async function killUnderLoad(): Promise<Kill> {
  const database = await freshDatabase();
  try {
    const server = await startVouchOn(database.url, SERVER_ENV);
    const url = `${server.url}/r/${await aCode(server)}`;
    const answered: Answered = { ids: [], at: [], otherStatus: 0 };
    const stopping = { now: false };
    const started = performance.now();
    const clients = Array.from({ length: CLIENTS }, () => client(url, started, answered, stopping));
    await sleep(SECONDS * 1000);
    server.child.kill('SIGKILL');
    await stop(server);
    stopping.now = true;
    await Promise.all(clients);
    // Started again on the same database, as an operator would: it must open what the crash left.
    const again = await startVouchOn(database.url, SERVER_ENV);
    const code = await stop(again);
    if (code !== 0) throw new Error(`vouch serve did not exit cleanly after the restart: ${code}`);
    const stored = await storedClickIds(database.url);
    const lostAt = answered.ids.flatMap((id, i) => (stored.has(id) ? [] : [answered.at[i] as number]));
    const last = answered.at.reduce((a, b) => Math.max(a, b), 0);
    const rps = answered.ids.length / (last / 1000);
    return {
      answered: answered.ids.length,
      stored: stored.size,
      lost: lostAt.length,
      rps,
      windowMs: Number(((lostAt.length / rps) * 1000).toFixed(1)),
      spanMs: lostAt.length === 0 ? 0 : Number((last - Math.min(...lostAt)).toFixed(1)),
      otherStatus: answered.otherStatus,
    };
  } finally {
    await database.drop();
  }
}

try {
  const dialect = benchDialect();
  const mode = process.env.VOUCH_CLICK_WRITES ?? 'default';
  log(
    `click loss: ${KILLS} x kill -9 of vouch serve (${dialect}, clicks ${mode}) after ${SECONDS} s of redirects ...`,
  );
  const kills: Kill[] = [];
  for (let i = 0; i < KILLS; i++) {
    const kill = await killUnderLoad();
    log(`  kill ${i + 1}: ${kill.lost} of ${kill.answered} 302s lost, ${kill.windowMs} ms of traffic`);
    kills.push(kill);
  }
  printTable(`Clicks lost to kill -9: ${dialect}, ${CLIENTS} clients, clicks ${mode}`, [
    ...kills.map((k, i): [string, string] => [
      `kill ${i + 1}`,
      `${k.lost} lost of ${k.answered} 302s (${Math.round(k.rps)} req/s): ${k.windowMs} ms of traffic, first lost ${k.spanMs} ms before the last 302`,
    ]),
  ]);
  const lost = kills.map((k) => k.lost);
  console.log(
    JSON.stringify({
      dialect,
      click_writes: mode,
      clients: CLIENTS,
      kills: kills.length,
      answered: kills.map((k) => k.answered),
      lost,
      loss_window_ms: kills.map((k) => k.windowMs),
      loss_span_ms: kills.map((k) => k.spanMs),
      other_status: kills.reduce((n, k) => n + k.otherStatus, 0),
    }),
  );
  // Only a run that could not measure fails; a loss is the figure this bench exists to report.
  process.exitCode = kills.every((k) => k.answered > 0) ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanup();
}
