import { type Kysely, sql } from 'kysely';

// Fraud windows in event time: a referral keeps when its sign-up happened (the event's
// occurred_at, else when it was received), and the referrer sightings the self_referral_ip rule
// compares are kept per event time, so a backfill of past weeks is judged in its own time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('referrals')
    .addColumn('signed_up_at', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`update referrals set signed_up_at = coalesce(
    (select e.occurred_at from events e where e.id = referrals.signup_event_id), referrals.created_at)`.execute(
    db,
  );
  // The windows count around the sign-up's time, so the indexes end in it (they ended in created_at).
  for (const column of ['signup_ip_hash', 'signup_subnet_hash'] as const) {
    await db.schema.dropIndex(`referrals_${column}_idx`).execute();
    await db.schema
      .createIndex(`referrals_${column}_at_idx`)
      .on('referrals')
      .columns(['program_id', column, 'signed_up_at'])
      .where(column, 'is not', null)
      .execute();
  }
  await db.schema
    .createIndex('referrals_referrer_signed_up_idx')
    .on('referrals')
    .columns(['referrer_id', 'signed_up_at'])
    .execute();
  // Replaces the (referrer_id, id) index of pending referrals, whose only reader was burst_inactive.
  await db.schema.dropIndex('referrals_pending_referrer_idx').execute();
  await db.schema
    .createIndex('referrals_pending_referrer_signed_up_idx')
    .on('referrals')
    .columns(['referrer_id', 'signed_up_at'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('referrals_program_signed_up_idx')
    .on('referrals')
    .columns(['program_id', 'signed_up_at'])
    .execute();

  // Each time a participant was seen from an IP address + user agent, by event time: one row per
  // distinct time, so "seen within 24 h of the sign-up" holds for sightings in any order.
  await db.schema
    .createTable('ip_ua_sightings')
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ip_ua_sightings_pk', ['participant_id', 'hash', 'seen_at'])
    .execute();
  await sql`insert into ip_ua_sightings (participant_id, hash, seen_at)
    select participant_id, hash, first_seen_at from participant_identities where kind = 'ip_ua'
    union select participant_id, hash, last_seen_at from participant_identities where kind = 'ip_ua'`.execute(
    db,
  );
}
