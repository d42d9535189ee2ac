import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { ConnectionLost, isConnectionLoss, type OutageLog, reasonOf } from './connection-loss.ts';

// Statements that may run again on a fresh connection when the first statement of a checkout
// finds its connection dead: BEGIN has done nothing yet, and a SELECT outside a transaction only
// reads (every write goes through Store.transaction). A later statement's outcome is unknown.
const REPEATABLE = /^\s*(begin|select)\b/i;
const MAX_CONNECTIONS_TRIED = 3;

/**
 * The pool Kysely is given on PostgreSQL. node-postgres emits 'error' on a client whose
 * connection drops (a terminated backend, a failover, a restart), and on the pool for an idle
 * one; with no listener, Node ends the process. Here every client is listened to, a lost client
 * is destroyed rather than returned to the pool, and a statement on a lost connection fails as
 * ConnectionLost. The pool may hand out an idle connection whose backend was just terminated,
 * before its socket says so: a repeatable first statement then runs on a fresh connection.
 */
export function survivingLoss(pool: pg.Pool, outage: OutageLog): PostgresPool {
  const reported = new WeakSet<pg.PoolClient>();
  const report = (client: pg.PoolClient, error: unknown) => {
    if (reported.has(client)) return;
    reported.add(client);
    outage.lostConnection(reasonOf(error));
  };
  pool.on('connect', (client) => {
    outage.connected();
    client.on('error', (error) => report(client, error));
  });
  // The same error reaches the client's own listener, above; the pool has dropped the client.
  pool.on('error', () => {});

  const open = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      outage.lostConnection(reasonOf(error), 'connect');
      throw new ConnectionLost('connect', reasonOf(error));
    }
  };

  return {
    async connect() {
      let client: pg.PoolClient | null = await open();
      let lost: ConnectionLost | null = null;
      let statements = 0;
      const query = async (text: string, parameters: readonly unknown[]) => {
        const first = statements++ === 0;
        for (let tried = 1; ; tried++) {
          if (!client) throw lost ?? new Error('query on a released connection');
          try {
            return await client.query(text, [...parameters]);
          } catch (error) {
            if (!isConnectionLoss(error)) throw error;
            report(client, error);
            client.release(true);
            client = null;
            lost = new ConnectionLost('query', reasonOf(error));
            if (!first || !REPEATABLE.test(text) || tried >= MAX_CONNECTIONS_TRIED) throw lost;
            client = await open();
          }
        }
      };
      const release = (destroy?: boolean) => {
        client?.release(destroy);
        client = null;
      };
      // No cursor overload of `query`: the dialect is given no cursor, so Kysely never passes one.
      return { query, release } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
