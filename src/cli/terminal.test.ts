import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { firstKeyBlock, logStreamFor } from './terminal.ts';

/** A stream that says it is a terminal, and keeps what was written to it. */
function fakeTerminal() {
  const out = Object.assign(new PassThrough(), { isTTY: true });
  let text = '';
  out.on('data', (chunk) => {
    text += chunk;
  });
  return { out, text: () => text };
}

describe('log output', () => {
  it('stays pino JSON when stdout is not a terminal', () => {
    expect(logStreamFor(Object.assign(new PassThrough(), { isTTY: false }))).toBeUndefined();
    expect(logStreamFor(new PassThrough())).toBeUndefined();
  });

  it('is one readable line per log in a terminal, a request named by method and path', () => {
    const terminal = fakeTerminal();
    const stream = logStreamFor(terminal.out);
    if (!stream) throw new Error('expected a pretty printer for a terminal');
    const log = pino({ level: 'info' }, stream);
    log.info({ reqId: 'req-1', req: { method: 'GET', path: '/v1/programs' } }, 'incoming request');
    log.info({ reqId: 'req-1', res: { statusCode: 200 }, responseTime: 3.4 }, 'request completed');
    log.info({ address: 'http://127.0.0.1:3000' }, 'Vouch listening on http://127.0.0.1:3000');
    const lines = terminal.text().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/INFO.*req-1 GET \/v1\/programs/);
    expect(lines[1]).toMatch(/INFO.*req-1 answered 200 in 3 ms/);
    expect(lines[2]).toMatch(/Vouch listening on http:\/\/127\.0\.0\.1:3000/);
    for (const line of lines) expect(line).not.toMatch(/^\{/);
  });
});

describe('the first key block', () => {
  const key = `sk_${'a1'.repeat(16)}`;

  it('shows the whole key once, framed, and bold only in a terminal', () => {
    for (const terminal of [true, false]) {
      const block = firstKeyBlock(key, terminal);
      expect(block.split(key)).toHaveLength(2);
      expect(block).toMatch(/^\n={78}\n/);
      expect(block).toMatch(/\n={78}\n\n$/);
      expect(block.includes('\u001b[1m')).toBe(terminal);
    }
  });
});
