import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isPrivateAddress } from '../domain/webhooks.ts';
import type { AttemptResult } from '../services/webhook-dispatch.ts';

/** What an attempt needs: the endpoint's URL and secrets, and the delivery's id and body. */
export interface Outgoing {
  url: string;
  /** The current secret first; during a rotation's overlap the previous one signs too. */
  secrets: string[];
  messageId: string;
  body: string;
}

export interface SenderOptions {
  allowPrivate: boolean;
  timeoutMs: number;
}

/**
 * Resolves as `dns.lookup` does, then refuses private, loopback and link-local answers. It runs as
 * the socket connects, so the address checked is the address used: a name that resolved to a
 * public address when saved and to 169.254.169.254 now (DNS rebinding) is refused now.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      const refused = !allowPrivate && list.some((a) => isPrivateAddress(a.address));
      const first = list[0];
      if (refused || !first) {
        const error = Object.assign(new Error(`${hostname} resolves to a private address`), {
          code: 'EPRIVATE',
        });
        return callback(error, '', 4);
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
  const lookup = guardedLookup(options.allowPrivate);
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
    if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
      return done(null, `${host} is a private address`);
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
