import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, SECRET_KEY, startServer } from '../support/cli.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'vouch.mjs');
// util-linux `script` runs a command on a pseudo-terminal, as a person's shell would.
const hasScript = spawnSync('script', ['--version']).status === 0;

/** `vouch serve` with its stdout on a terminal; resolves with everything it wrote once stopped. */
async function serveInTerminal(databaseUrl: string, whileUp: (url: string) => Promise<void>) {
  const command = `'${process.execPath}' '${BIN}' serve`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    env: childEnv({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address in 15 s:\n${output}`)), 15_000);
      child.stdout.on('data', () => {
        const match = /Vouch listening on (http:\/\/[\d.:]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    await whileUp(url);
    // Give the last log lines a moment to reach the terminal before it closes.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  // Colours are the terminal's business; the text is checked without them.
  const esc = String.fromCharCode(27);
  return output.replaceAll('\r\n', '\n').replaceAll(new RegExp(`${esc}\\[[0-9;]*m`, 'g'), '');
}

describe('vouch serve logs', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
  });
  afterAll(() => store.drop());

  it.skipIf(!hasScript)(
    'in a terminal, frames the first key once above readable log lines, a request by method and path',
    async () => {
      const output = await serveInTerminal(store.url, async (url) => {
        await fetch(`${url}/v1/programs?email=jane@example.com`);
      });
      const keys = output.match(SECRET_KEY) ?? [];
      expect(keys).toHaveLength(1);
      const [before, after] = output.split(keys[0] as string);
      expect(before).toMatch(/={78}\n {2}Created the first secret API key/);
      expect(after).toMatch(/={78}\n/);
      const logLines = (after as string).split('\n').filter((line) => /\bINFO\b/.test(line));
      expect(logLines.some((line) => /Vouch listening on http/.test(line))).toBe(true);
      expect(logLines.some((line) => /req-\w+ GET \/v1\/programs/.test(line))).toBe(true);
      expect(logLines.some((line) => /answered 401 in \d+ ms/.test(line))).toBe(true);
      expect(output).not.toMatch(/^\{/m);
      expect(output).not.toContain('jane@example.com');
    },
  );

  it('piped, writes one JSON object per log line, with no client address or query string', async () => {
    const server = await startServer({ DATABASE_URL: store.url });
    try {
      await fetch(`${server.url}/v1/programs?email=jane@example.com`);
      await fetch(`${server.url}/health`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // A database that has its first key already: nothing but log lines.
    expect(server.stdout().match(SECRET_KEY)).toBeNull();
    const lines = server.stdout().trim().split('\n');
    const logs = lines.map((line) => JSON.parse(line));
    const incoming = logs.filter((log) => log.msg === 'incoming request');
    expect(incoming.map((log) => log.req)).toEqual([
      { method: 'GET', path: '/v1/programs' },
      { method: 'GET', path: '/health' },
    ]);
    expect(server.stdout()).not.toContain('jane@example.com');
    expect(server.stdout()).not.toContain('remoteAddress');
  });
});
