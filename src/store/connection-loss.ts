import { AppError } from '../lib/errors.ts';
import type { DatabaseErrorKind } from '../lib/metrics.ts';

// SQLSTATEs with which PostgreSQL ends a session: class 08 (connection exception), a terminated
// backend (57P01: pg_terminate_backend, a fast shutdown), a crashed server (57P02), one starting
// up or failing over (57P03), idle-session and idle-in-transaction timeouts (57P05, 25P03).
const LOST_CODES = new Set(['57P01', '57P02', '57P03', '57P05', '25P03']);
// How Node reports a socket to the database that closed, was refused or went unreachable.
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// node-postgres reports a closed connection without a code, in these words.
const LOST_MESSAGES = [
  'Connection terminated',
  'is not queryable',
  'timeout exceeded when trying to connect',
  'Postgres connection has been discarded',
];

/** Whether `error` says the connection to PostgreSQL is gone, rather than that a statement failed. */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof ConnectionLost) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || LOST_CODES.has(code) || SOCKET_CODES.has(code))) {
    return true;
  }
  return LOST_MESSAGES.some((words) => error.message.includes(words));
}

/**
 * A statement that failed because its connection was lost. Answered as a 503 the client may
 * retry: the transaction rolled back, unless the connection died while COMMIT was on its way, and
 * then the retry's Idempotency-Key finds what was committed.
 */
export class ConnectionLost extends AppError {
  constructor(
    /** `connect`: no connection could be opened; `query`: one in use was lost. */
    readonly phase: 'connect' | 'query',
    /** What PostgreSQL or the socket said, for the log: a SQLSTATE or errno and its message. */
    readonly reason: { code: string | undefined; message: string },
  ) {
    super(
      'service_unavailable',
      'The connection to the database was lost; retry the request (with the same Idempotency-Key, so a write is applied once).',
    );
    this.name = 'ConnectionLost';
  }
}

export function reasonOf(error: unknown): ConnectionLost['reason'] {
  const code = (error as { code?: unknown }).code;
  return {
    code: typeof code === 'string' ? code : undefined,
    message: error instanceof Error ? error.message : String(error),
  };
}

export interface LossLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/**
 * Logs an outage once: at warn when the first connection is lost, at info when a new one opens,
 * not for each of the pool's connections a restart takes down together. Logs only what
 * PostgreSQL or the socket said (code and message), never a query, its values or the URL.
 */
export class OutageLog {
  private log: LossLogger | undefined;
  /** Counts every loss, not once per outage as the log does. */
  count: (kind: DatabaseErrorKind) => void = () => {};
  private down = false;
  private lost = 0;

  attach(log: LossLogger): void {
    this.log = log;
  }

  lostConnection(reason: ConnectionLost['reason'], phase: ConnectionLost['phase'] = 'query'): void {
    this.lost++;
    this.count(phase === 'connect' ? 'connect_failed' : 'connection_lost');
    if (this.down) return;
    this.down = true;
    this.log?.warn(
      { database_error: reason },
      'lost a connection to PostgreSQL; requests using it fail with 503 service_unavailable, new connections are opened on demand',
    );
  }

  connected(): void {
    if (!this.down) return;
    this.down = false;
    this.log?.info({ connections_lost: this.lost }, 'connected to PostgreSQL again');
    this.lost = 0;
  }
}
