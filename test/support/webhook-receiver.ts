import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver on a free local port. `respond` decides each answer (status, and an
 * optional delay in ms); by default 200 at once.
 */
export async function startReceiver(
  respond: (r: Received) => { status: number; delayMs?: number } = () => ({ status: 200 }),
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const r = { headers: req.headers, body };
      received.push(r);
      const { status, delayMs = 0 } = respond(r);
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  return { ...(await listen(server)), received };
}

/** A server that answers every request with a redirect to `location`. */
export async function startRedirector(status: number, location: string) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ headers: req.headers, body: '' });
      res.writeHead(status, { location }).end();
    });
  });
  return { ...(await listen(server)), received };
}

/** Listens on a free local port; the URL is its /hooks path. */
async function listen(server: http.Server) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
