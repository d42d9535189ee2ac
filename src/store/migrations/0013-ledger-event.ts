import type { Kysely } from 'kysely';

// A reward's posting names the event behind it (a refund's clawback, a won chargeback's
// reinstatement), so what one refund took from each reward can be given back exactly.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ledger_entries').addColumn('event_id', 'text').execute();
  await db.schema
    .createIndex('ledger_event_idx')
    .on('ledger_entries')
    .column('event_id')
    .where('event_id', 'is not', null)
    .execute();
}
