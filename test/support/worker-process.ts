import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './cli.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'vouch.mjs');
const STARTED = 'Vouch worker started';

export interface WorkerProcess {
  /** Everything it wrote, stdout and stderr, pino JSON at info level. */
  output(): string;
  /** The exit code, or the signal that ended it; null while it runs. */
  ended(): number | string | null;
  /** Sends a signal and resolves once the process is gone. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `vouch worker` with `env` (and none of the developer's own Vouch variables) and resolves
 * once it logs that it started.
 */
export function startWorker(env: Record<string, string>, timeoutMs = 15_000): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'worker'], {
    cwd: ROOT,
    env: childEnv({ LOG_LEVEL: 'info', ...env }),
    stdio: 'pipe',
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const worker: WorkerProcess = {
    output: () => output,
    ended: () => child.exitCode ?? child.signalCode,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vouch worker did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(STARTED)) {
        clearTimeout(timer);
        resolve(worker);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      if (!output.includes(STARTED)) reject(new Error(`vouch worker exited before starting:\n${output}`));
    });
  });
}
