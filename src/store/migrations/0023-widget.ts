import type { Kysely } from 'kysely';

// The embeddable share widget. A program lists the origins (scheme, host, port) whose pages may
// embed it; a widget token, answered with each portal sign-in, lets the widget on such a page read
// the referrer's link and counts for an hour. Tokens are stored as SHA-256 hashes, never as sent.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('programs')
    .addColumn('embed_origins', 'text', (col) => col.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createTable('widget_tokens')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('participant_id', 'text', (col) => col.notNull().references('participants.id'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .execute();
}
