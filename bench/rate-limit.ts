// `npm run bench:rate-limit`: what the per-address limit on referral links costs a redirect. Two
// `vouch serve` on SQLite, one with VOUCH_RATE_LIMIT_LINKS counted (never reached) and one with it
// off, measured in alternating rounds as run.ts measures the baseline, so drift hits both alike.
import { LoadTarget } from './load.ts';
import { printTable, speed } from './report.ts';
import { API_KEY, cleanup, type Server, startVouch, stop, UNREACHED_LIMITS } from './servers.ts';

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

try {
  process.stderr.write(`redirect with the link limit counted and off, ${ROUNDS} alternating rounds ...\n`);
  const limited = await startVouch(UNREACHED_LIMITS);
  const unlimited = await startVouch({ ...UNREACHED_LIMITS, VOUCH_RATE_LIMIT_LINKS: 'off' });
  const options = { connections: CONNECTIONS };
  const on = new LoadTarget(`${limited.url}/r/${await aCode(limited)}`, options, 302);
  const off = new LoadTarget(`${unlimited.url}/r/${await aCode(unlimited)}`, options, 302);
  await on.warmUp();
  await off.warmUp();
  for (let round = 0; round < ROUNDS; round++) {
    await off.run(SECONDS / ROUNDS);
    await on.run(SECONDS / ROUNDS);
  }
  await stop(limited);
  await stop(unlimited);
  const [withLimit, without] = [on.result(), off.result()];
  const ratio = Number((withLimit.rps / without.rps).toFixed(3));
  printTable('Link rate limit', [
    ['GET /r/{code}, limit off', speed(without.rps, 'req/s', without.p50, without.p99)],
    ['GET /r/{code}, limit counted', speed(withLimit.rps, 'req/s', withLimit.p50, withLimit.p99)],
    ['counted / off', String(ratio)],
    ['errors', String(withLimit.failed + without.failed)],
  ]);
  console.log(
    JSON.stringify({
      limit_off_rps: Math.round(without.rps),
      limit_on_rps: Math.round(withLimit.rps),
      ratio,
    }),
  );
  process.exitCode = withLimit.failed + without.failed === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanup();
}
