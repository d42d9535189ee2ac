import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_ENCRYPTION_KEY } from './store.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'vouch.mjs');

// Variables Vouch reads; the child gets only the ones a test sets, never the developer's own.
const VOUCH_VARIABLES = /^(PORT|HOST|DATABASE_URL|LOG_LEVEL|VOUCH_.*)$/;

/**
 * The environment of a `vouch` child: the test's variables over the test databases' key (so a
 * child opens the secrets its test sealed; `VOUCH_ENCRYPTION_KEYS: ''` leaves it to the key file).
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !VOUCH_VARIABLES.test(name)),
  );
  return { ...inherited, LOG_LEVEL: 'warn', VOUCH_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY, ...env };
}

function spawnVouch(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: 'pipe' });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vouch <args>` to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnVouch(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Server {
  /** Where it listens, from its own log line, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL, for clean-up after a failed test; resolves once the process is gone. */
  kill(): Promise<void>;
}

const LISTENING = /Vouch listening on (http:\/\/\S+)/;

/**
 * Starts `vouch serve` on a port the OS picks (PORT=0) and resolves once it logs its address.
 * Logs at info level, since the address is logged there.
 */
export function startServer(env: Record<string, string>, timeoutMs = 15_000): Promise<Server> {
  const child = spawnVouch(['serve'], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const server = (url: string): Server => ({
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vouch serve did not log its address in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    const onData = () => {
      const match = LISTENING.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(server(match[1]));
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vouch serve exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  });
}

/** Secret keys as the CLI and the server print them. */
export const SECRET_KEY = /sk_[A-Za-z0-9]{24,}/g;
