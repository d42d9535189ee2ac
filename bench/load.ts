// Measured load on a server: a warm-up, then timed runs.
//
// Runs stop after a fixed number of requests (autocannon's `amount`), not after a duration:
// a duration-bound run drops the requests still in flight when the clock runs out, and those
// may well have reached the server, so the bench could not match clicks in the database with
// 302s it saw. The warm-up's rate sizes the timed runs to last about the seconds asked for.
import autocannon from 'autocannon';

export type LoadOptions = Omit<autocannon.Options, 'url' | 'amount' | 'duration'>;

export interface Load {
  /** Timed runs: responses with the expected status per second, and latency percentiles in ms. */
  rps: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Warm-up included, as the database sees it too: expected responses, and everything else. */
  expected: number;
  failed: number;
}

interface Run {
  result: autocannon.Result;
  seconds: number;
}

const answered = (r: autocannon.Result) =>
  Object.values(r.statusCodeStats ?? {}).reduce((n, s) => n + (s.count ?? 0), 0);

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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** One server under load. `expect`: every response's status; `multiple`: request counts are multiples of it. */
export class LoadTarget {
  private readonly warmUps: Run[] = [];
  private readonly timed: Run[] = [];
  private rate = 0;

  constructor(
    private readonly url: string,
    private readonly options: LoadOptions & { connections: number },
    private readonly expect: number,
    private readonly multiple = options.connections,
  ) {}

  private round(n: number): number {
    return Math.max(this.multiple, Math.round(n / this.multiple) * this.multiple);
  }

  /**
   * Warms up until one run lasts two seconds or more: short runs are dominated by connection set-up
   * and a cold JIT, and would size the timed runs far too small.
   */
  async warmUp(): Promise<void> {
    let run = await once(this.url, this.round(this.multiple * 20), this.options);
    this.warmUps.push(run);
    while (run.seconds < 2) {
      if (run.result.errors > 0) throw new Error(`${this.url}: ${run.result.errors} errors in the warm-up`);
      run = await once(this.url, this.round(answered(run.result) * 4), this.options);
      this.warmUps.push(run);
    }
    this.rate = answered(run.result) / run.seconds;
  }

  /** A timed run of about `seconds`, sized from the warm-up's rate. */
  async run(seconds: number): Promise<void> {
    if (this.rate === 0) await this.warmUp();
    this.timed.push(await once(this.url, this.round(this.rate * seconds), this.options));
  }

  /** Each timed run's responses with the expected status per second, in the order run. */
  rates(): number[] {
    return this.timed.map(
      (run) => (run.result.statusCodeStats?.[`${this.expect}`]?.count ?? 0) / run.seconds,
    );
  }

  /** The timed runs taken together; latencies are the median over the runs. */
  result(): Load {
    const ok = (r: autocannon.Result) => r.statusCodeStats?.[`${this.expect}`]?.count ?? 0;
    const all = [...this.warmUps, ...this.timed];
    const sum = (runs: Run[], f: (run: Run) => number) => runs.reduce((n, run) => n + f(run), 0);
    const seconds = sum(this.timed, (run) => run.seconds);
    return {
      rps: sum(this.timed, (run) => ok(run.result)) / seconds,
      seconds,
      p50: median(this.timed.map((run) => run.result.latency.p50)),
      p99: median(this.timed.map((run) => run.result.latency.p99)),
      expected: sum(all, (run) => ok(run.result)),
      failed: sum(all, (run) => answered(run.result) - ok(run.result) + run.result.errors),
    };
  }
}
