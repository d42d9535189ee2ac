import type { Kysely } from 'kysely';

// The referrer's portal. A sign-in link is asked for by the business's backend and opened once,
// within a minute; it opens a session held by a cookie. Both are stored as SHA-256 hashes of
// their tokens, never the tokens. A share is one use of a share button, by channel, so the
// funnel can count them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('portal_sign_ins')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('participant_id', 'text', (col) => col.notNull().references('participants.id'))
    .addColumn('locale', 'text')
    .addColumn('return_url', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema
    .createTable('portal_sessions')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('participant_id', 'text', (col) => col.notNull().references('participants.id'))
    .addColumn('locale', 'text')
    .addColumn('return_url', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('portal_sessions_participant')
    .on('portal_sessions')
    .columns(['participant_id'])
    .execute();
  await db.schema
    .createTable('shares')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('program_id', 'text', (col) => col.notNull().references('programs.id'))
    .addColumn('participant_id', 'text', (col) => col.notNull().references('participants.id'))
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('shares_program_time')
    .on('shares')
    .columns(['program_id', 'created_at'])
    .execute();
}
