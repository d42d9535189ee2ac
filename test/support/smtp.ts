import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
  /** The message as it came over the wire, headers included. */
  raw: string;
}

/** A header as it came over the wire, unfolded (mailparser turns some into objects). */
export function rawHeader(received: Received, name: string): string | undefined {
  const head = received.raw.split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export interface TestSmtp {
  url: string;
  received: Received[];
  /** Resolves once `count` messages have arrived in all. */
  waitFor(count: number): Promise<Received[]>;
  /** Addresses the server refuses with this reply code (550: for good, 451: try later). */
  refuse(address: string, code: number): void;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 that keeps what it is sent, parsed. */
export async function startSmtp(): Promise<TestSmtp> {
  const received: Received[] = [];
  const refused = new Map<string, number>();
  let waiters: Array<{ count: number; resolve: (r: Received[]) => void }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refused.get(address.address);
      if (code === undefined) return callback();
      const err = Object.assign(new Error(code >= 500 ? 'No such mailbox' : 'Mailbox busy'), {
        responseCode: code,
      });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then((mail) => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          received.push({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, mail, raw });
          waiters = waiters.filter((w) => {
            if (received.length < w.count) return true;
            w.resolve(received.slice());
            return false;
          });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    waitFor: (count) =>
      received.length >= count
        ? Promise.resolve(received.slice())
        : new Promise((resolve) => waiters.push({ count, resolve })),
    refuse: (address, code) => refused.set(address, code),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
