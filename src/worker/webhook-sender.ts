import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { classifyAddress, describeAddress } from '../domain/public-address.ts';
import type { AttemptResult } from '../services/webhooks/webhook-dispatch.ts';

/** What an attempt needs: the endpoint's URL and secrets, and the delivery's id and body. */
export interface Outgoing {
  url: string;
  /** The current secret first; during a rotation's overlap the previous one signs too. */
  secrets: string[];
  messageId: string;
  body: string;
}

/** Resolves a host name to every address it has, as `dns.lookup` with `all: true` does. */
export type Resolve = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: Resolve = (hostname, options, callback) =>
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => callback(err, addresses ?? []));

export interface SenderOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** The system resolver unless given (tests hand one that answers what they need). */
  resolve?: Resolve | undefined;
}

/** The first answer that is not public, with why, or null when every one is. */
function refusedAnswer(addresses: readonly LookupAddress[]): string | null {
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    if (!verdict.public) return describeAddress(verdict);
  }
  return null;
}

/**
 * Resolves as `dns.lookup` does, then refuses the name if any answer is not a public address. It runs as
 * the socket connects, so the address checked is the address used: a name that resolved to a
 * public address when saved and to 169.254.169.254 now (DNS rebinding) is refused now.
 */
function guardedLookup(allowPrivate: boolean, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options as LookupOptions, (err, list) => {
      if (err) return callback(err, '', 4);
      // Any answer not public refuses the name: the socket may pick any of them.
      const refused = allowPrivate ? null : refusedAnswer(list);
      const first = list[0];
      if (refused || !first) {
        const why = refused ? `resolves to ${refused}, not a public address` : 'resolves to no address';
        return callback(Object.assign(new Error(`${hostname} ${why}`), { code: 'EPRIVATE' }), '', 4);
      }
      if ((options as LookupOptions).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Sends signed webhook attempts over keep-alive connections. Redirects are not followed (a 3xx is
 * a failed attempt), and each attempt, connecting included, ends at the timeout.
 */
export function createSender(options: SenderOptions) {
  const lookup = guardedLookup(options.allowPrivate, options.resolve ?? systemResolve);
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };

  function sign(out: Outgoing, at: Date): Record<string, string> {
    const signatures = out.secrets.map((secret) => new Webhook(secret).sign(out.messageId, at, out.body));
    return {
      'content-type': 'application/json',
      'user-agent': 'Vouch-Webhooks/1',
      'webhook-id': out.messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signatures.join(' '),
    };
  }

  async function send(out: Outgoing, at: Date): Promise<AttemptResult> {
    const started = performance.now();
    const done = (statusCode: number | null, error: string | null): AttemptResult => ({
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    let url: URL;
    try {
      url = new URL(out.url);
    } catch {
      return done(null, 'invalid url');
    }
    // An address literal never reaches the lookup: it is checked here instead.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(host) !== 0) {
      const verdict = classifyAddress(host);
      if (!verdict.public) return done(null, `${describeAddress(verdict)} is not a public address`);
    }
    const agent = agents[url.protocol as 'http:' | 'https:'];
    if (!agent) return done(null, `unsupported protocol ${url.protocol}`);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const request = client.request(url, {
        method: 'POST',
        agent,
        lookup,
        headers: sign(out, at),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      request.on('response', (response) => {
        // The body is read and dropped: only the status counts, and the socket is reused.
        response.resume();
        response.on('end', () => resolve(done(response.statusCode ?? null, null)));
        response.on('error', (err) => resolve(done(response.statusCode ?? null, err.message)));
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        const message =
          err.name === 'AbortError' || err.name === 'TimeoutError'
            ? `timed out after ${options.timeoutMs} ms`
            : err.message;
        resolve(done(null, message));
      });
      request.end(out.body);
    });
  }

  function close(): void {
    agents['http:'].destroy();
    agents['https:'].destroy();
  }

  return { send, close };
}

export type Sender = ReturnType<typeof createSender>;
