import { type Kysely, sql } from 'kysely';

// Vouch's own emails. Each is a row written in the transaction that causes it (from the outbox,
// or a magic link's request), rendered then, and sent later by the worker: a rolled-back change
// leaves none, and a crash after sending sends it again with the same Message-ID. A participant's
// opt-outs are rows per category of email; their language is kept for emails and the portal.
// A sign-in link says whether the API asked for it or an email carried it: only an email's link
// waits for a click on its page, because mail scanners open every link they see.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('emails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // What it is sent for, e.g. "obx_…:par_…": one email per cause and person, however often retried.
    .addColumn('cause', 'text', (c) => c.notNull().unique())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    // The one-click unsubscribe URL (RFC 8058), for every email that is not transactional.
    .addColumn('unsubscribe_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    // When it is due; a worker taking it pushes this past its lease, so a crashed worker's email
    // falls due again by itself.
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema
    .createIndex('emails_due_idx')
    .on('emails')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema.createIndex('emails_participant').on('emails').column('participant_id').execute();
  // The portal's email sign-in finds participants by address, whatever its case.
  await db.schema
    .createIndex('participants_email_lower')
    .on('participants')
    .expression(sql`lower(email)`)
    .execute();

  await db.schema
    .createTable('email_opt_outs')
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('email_opt_outs_pk', ['participant_id', 'category'])
    .execute();

  await db.schema.alterTable('participants').addColumn('locale', 'text').execute();
  await db.schema
    .alterTable('portal_sign_ins')
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('api'))
    .execute();
}
