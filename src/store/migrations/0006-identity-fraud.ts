import { type Kysely, sql } from 'kysely';

// Identity resolution, attribution trails, invites and fraud review. Portable, like 0001.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('programs')
    .addColumn('attribution_model', 'text', (c) => c.notNull().defaultTo('last_touch'))
    .execute();
  // JSON: the program's fraud settings as sent; missing fields take the defaults (domain/fraud.ts).
  await db.schema
    .alterTable('programs')
    .addColumn('fraud_settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();

  // The vouch_device cookie of the browser that clicked, for device matching: a random id Vouch
  // made, like the click id, so it is kept as is and costs the redirect no hashing.
  await db.schema.alterTable('clicks').addColumn('device_id', 'text').execute();
  await db.schema
    .createIndex('clicks_device_idx')
    .on('clicks')
    .columns(['device_id', 'id'])
    .where('device_id', 'is not', null)
    .execute();

  // Every identity a participant was seen with, as a keyed hash of its normalised value.
  await db.schema
    .createTable('participant_identities')
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('participant_identities_pk', ['participant_id', 'kind', 'hash'])
    .execute();
  await db.schema
    .createIndex('participant_identities_hash_idx')
    .on('participant_identities')
    .columns(['program_id', 'kind', 'hash'])
    .execute();

  // Two participant records found to be one person: linked both ways, never merged.
  await db.schema
    .createTable('participant_links')
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('linked_participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('participant_links_pk', ['participant_id', 'linked_participant_id'])
    .execute();

  await db.schema
    .createTable('invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('referrer_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('email', 'text')
    .addColumn('email_hash', 'text', (c) => c.notNull())
    .addColumn('click_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('invites_referrer_email_unique', ['program_id', 'referrer_id', 'email_hash'])
    .execute();
  await db.schema.createIndex('invites_email_idx').on('invites').columns(['email_hash', 'id']).execute();

  await db.schema.alterTable('referrals').addColumn('attribution', 'text').execute();
  for (const column of ['referee_email_hash', 'signup_ip_hash', 'signup_subnet_hash']) {
    await db.schema.alterTable('referrals').addColumn(column, 'text').execute();
  }
  await db.schema
    .alterTable('referrals')
    .addColumn('fraud_outcome', 'text', (c) => c.notNull().defaultTo('allow'))
    .execute();
  await db.schema
    .alterTable('referrals')
    .addColumn('fraud_score', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // One referral per person, not only per participant record: two accounts with the same
  // normalised email are referred once, even when their sign-ups race.
  await db.schema
    .createIndex('referrals_referee_email_unique')
    .on('referrals')
    .columns(['program_id', 'referee_email_hash'])
    .unique()
    .where('referee_email_hash', 'is not', null)
    .execute();
  for (const column of ['signup_ip_hash', 'signup_subnet_hash'] as const) {
    await db.schema
      .createIndex(`referrals_${column}_idx`)
      .on('referrals')
      .columns(['program_id', column, 'created_at'])
      .where(column, 'is not', null)
      .execute();
  }
  // A referrer's referrals still waiting for a purchase (burst_inactive): qualified ones leave it.
  await db.schema
    .createIndex('referrals_pending_referrer_idx')
    .on('referrals')
    .columns(['referrer_id', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('referrals_program_created_idx')
    .on('referrals')
    .columns(['program_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('fraud_signals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('fraud_signals_referral_idx')
    .on('fraud_signals')
    .column('referral_id')
    .execute();
  await db.schema
    .createIndex('fraud_signals_program_idx')
    .on('fraud_signals')
    .columns(['program_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('note', 'text')
    .execute();
  // At most one open review per referral; maturation checks for it before approving a reward.
  await db.schema
    .createIndex('reviews_open_referral_unique')
    .on('reviews')
    .column('referral_id')
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
  await db.schema.createIndex('reviews_status_idx').on('reviews').columns(['status', 'id']).execute();
}
