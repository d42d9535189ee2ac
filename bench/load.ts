// One measured load on a server: a warm-up, then the timed run.
//
// Runs stop after a fixed number of requests (autocannon's `amount`), not after a duration:
// a duration-bound run drops the requests still in flight when the clock runs out, and those
// may well have reached the server, so the bench could not match clicks in the database with
// 302s it saw. The warm-up's rate sizes the timed run to last about `seconds`.
import autocannon from 'autocannon';

export type LoadOptions = Omit<autocannon.Options, 'url' | 'amount' | 'duration'>;

export interface Load {
  /** Timed run: responses with the expected status per second, and latency percentiles in ms. */
  rps: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Warm-up included, as the database sees it too: expected responses, and everything else. */
  expected: number;
  failed: number;
}

const answered = (r: autocannon.Result) =>
  Object.values(r.statusCodeStats ?? {}).reduce((n, s) => n + (s.count ?? 0), 0);

interface Run {
  result: autocannon.Result;
  seconds: number;
}

function once(url: string, amount: number, options: LoadOptions) {
  return new Promise<Run>((resolve, reject) => {
    const started = performance.now();
    let last = started;
    // bailout: a server that dies or hangs ends the run (and fails the checks) instead of the
    // clients reconnecting forever in pursuit of `amount`.
    const instance = autocannon({ bailout: 100, ...options, url, amount }, (err, result) =>
      err ? reject(err) : resolve({ result, seconds: (last - started) / 1000 }),
    );
    // The result comes on the next sampling tick, up to a second late; the last response is the end.
    instance.on('response', () => {
      last = performance.now();
    });
  });
}

/** `expect`: the status every response must have; `multiple`: request counts are multiples of it. */
export async function measure(
  url: string,
  options: LoadOptions & { connections: number },
  { seconds, expect, multiple = options.connections }: { seconds: number; expect: number; multiple?: number },
): Promise<Load> {
  const round = (n: number) => Math.max(multiple, Math.round(n / multiple) * multiple);
  // Warm up until one run lasts two seconds or more: short runs are dominated by connection set-up
  // and a cold JIT, and would size the timed run far too small.
  const runs = [await once(url, round(multiple * 20), options)];
  for (let warm = runs[0] as Run; warm.seconds < 2; runs.push(warm)) {
    if (warm.result.errors > 0) throw new Error(`${url}: ${warm.result.errors} errors in the warm-up`);
    warm = await once(url, round(answered(warm.result) * 4), options);
  }
  const warm = runs.at(-1) as Run;
  const timed = await once(url, round((answered(warm.result) / warm.seconds) * seconds), options);
  runs.push(timed);
  const ok = (r: autocannon.Result) => r.statusCodeStats?.[`${expect}`]?.count ?? 0;
  const sum = (f: (r: autocannon.Result) => number) => runs.reduce((n, run) => n + f(run.result), 0);
  return {
    rps: ok(timed.result) / timed.seconds,
    seconds: timed.seconds,
    p50: timed.result.latency.p50,
    p99: timed.result.latency.p99,
    expected: sum(ok),
    failed: sum((r) => answered(r) - ok(r) + r.errors),
  };
}
