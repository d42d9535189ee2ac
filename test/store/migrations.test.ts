import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScreening } from '../../src/services/fraud/screening.ts';
import { recordEvent } from '../../src/services/ingest/record-event.ts';
import { verifyLedger } from '../../src/services/ledger/verify-ledger.ts';
import { participantBalances } from '../../src/services/participants/participants.ts';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

// A database made by the first release (migration 0001 only), with a qualified referral, its
// rewards and their postings, upgraded to the latest schema: nothing is lost, the ledger still
// verifies, and the old rewards take part in what came later (holds, clawback, rule versions).

const T = '2030-02-01T10:00:00.000Z';
const program = {
  id: 'prg_old',
  rewards: JSON.stringify({ referrer: { amount: 1000, currency: 'USD' }, referee: null }),
};

async function seedFirstRelease(db: Kysely<any>) {
  await db
    .insertInto('programs')
    .values({
      ...program,
      name: 'Old',
      landing_url: 'https://example.com/',
      status: 'active',
      attribution_window_days: 30,
      created_at: T,
      updated_at: T,
    })
    .execute();
  const participant = (id: string, externalId: string) => ({
    id,
    program_id: program.id,
    external_id: externalId,
    email: null,
    name: null,
    referral_code: id.toUpperCase(),
    status: 'active',
    created_at: T,
    updated_at: T,
  });
  await db
    .insertInto('participants')
    .values([participant('par_ref', 'referrer'), participant('par_fr', 'friend')])
    .execute();
  const eventRow = (id: string, type: string, externalId: string, amount: number | null) => ({
    id,
    type,
    external_id: externalId,
    program_id: program.id,
    customer_external_id: 'friend',
    customer_email: null,
    amount,
    currency: amount === null ? null : 'USD',
    occurred_at: T,
    received_at: T,
    result: '{}',
  });
  await db
    .insertInto('events')
    .values([
      eventRow('evt_signup', 'signup', 'signup-1', null),
      eventRow('evt_order', 'purchase', 'order-1', 8000),
    ])
    .execute();
  await db
    .insertInto('referrals')
    .values({
      id: 'ref_old',
      program_id: program.id,
      referrer_id: 'par_ref',
      referee_id: 'par_fr',
      status: 'qualified',
      rejection_reason: null,
      attribution_method: 'code',
      code: 'PAR_REF',
      click_id: null,
      signup_event_id: 'evt_signup',
      qualifying_event_id: 'evt_order',
      created_at: T,
      expires_at: T,
      qualified_at: T,
    })
    .execute();
  await db
    .insertInto('rewards')
    .values({
      id: 'rwd_old',
      program_id: program.id,
      referral_id: 'ref_old',
      participant_id: 'par_ref',
      side: 'referrer',
      amount: 1000,
      currency: 'USD',
      status: 'pending',
      created_at: T,
    })
    .execute();
  const entry = (id: string, account: string, participantId: string | null, amount: number) => ({
    id,
    posting_id: 'pst_old',
    account,
    participant_id: participantId,
    program_id: program.id,
    reward_id: 'rwd_old',
    currency: 'USD',
    amount,
    created_at: T,
  });
  await db
    .insertInto('ledger_entries')
    .values([
      entry('led_1', 'participant_pending', 'par_ref', 1000),
      entry('led_2', 'program_rewards', null, -1000),
    ])
    .execute();
  const click = (id: string, referer: string | null) => ({
    id,
    program_id: program.id,
    participant_id: 'par_ref',
    code: 'PAR_REF',
    occurred_at: T,
    ip_hash: null,
    user_agent: 'Mozilla/5.0',
    referer,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
  });
  await db
    .insertInto('clicks')
    .values([
      click('clk_page', 'https://social.example/u/jane?ref=mail#top'),
      click('clk_same', 'https://social.example/u/john'),
      click('clk_app', 'android-app://com.google.android.gm/'),
      click('clk_junk', 'not a url'),
      click('clk_none', null),
    ])
    .execute();
}

describe('upgrading a database of the first release', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
    await migrateTo(store.db, '0001-core');
    await seedFirstRelease(store.db);
    await migrateToLatest(store.db);
  });
  afterAll(() => store.drop());

  it('keeps its programs, with their rules as version 1 and the new settings at their defaults', async () => {
    expect(await store.db.selectFrom('programs').selectAll().execute()).toEqual([
      expect.objectContaining({
        id: program.id,
        rewards: program.rewards,
        rules_version: 1,
        reward_hold_days: 30,
        payout_minimums: '{}',
        tax_reporting_thresholds: '{}',
        attribution_model: 'last_touch',
        fraud_settings: '{}',
      }),
    ]);
    expect(await store.db.selectFrom('program_rules').selectAll().execute()).toEqual([
      { program_id: program.id, version: 1, rules: program.rewards, created_at: T },
    ]);
    const referrals = store.db
      .selectFrom('referrals')
      .select(['id', 'rules_version', 'unrewarded_reason', 'attribution', 'fraud_outcome', 'fraud_score'])
      .execute();
    // A referral from before trails and screening: no trail, and nothing found against it.
    expect(await referrals).toEqual([
      {
        id: 'ref_old',
        rules_version: 1,
        unrewarded_reason: null,
        attribution: null,
        fraud_outcome: 'allow',
        fraud_score: 0,
      },
    ]);
  });

  it('reads old participants as in no segment and old events as unnamed', async () => {
    const participants = await store.db.selectFrom('participants').select(['id', 'segment']).execute();
    expect(participants.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'par_fr', segment: null },
      { id: 'par_ref', segment: null },
    ]);
    const events = await store.db.selectFrom('events').select('name').execute();
    expect(events).toEqual([{ name: null }, { name: null }]);
  });

  it('gives old rewards their purchase and a 30-day hold, and the ledger still verifies', async () => {
    expect(await store.db.selectFrom('rewards').selectAll().executeTakeFirstOrThrow()).toMatchObject({
      status: 'pending',
      reversed_amount: 0,
      qualifying_event_id: 'evt_order',
      available_at: '2030-03-03T10:00:00.000Z',
      payout_id: null,
    });
    expect((await verifyLedger(store.db)).problems).toEqual([]);
  });

  it('claws an old reward back when its purchase is refunded after the upgrade', async () => {
    const refund = {
      type: 'refund' as const,
      external_id: 'refund-1',
      customer: { external_id: 'friend' },
      amount: 2000,
      currency: 'USD',
      purchase_external_id: 'order-1',
    };
    await store.transaction((trx) =>
      recordEvent(trx, refund, new Date('2030-02-05T00:00:00Z'), 'test:upgrade', createScreening('secret')),
    );

    expect((await store.db.selectFrom('rewards').selectAll().executeTakeFirstOrThrow()).reversed_amount).toBe(
      250,
    );
    expect(await participantBalances(store.db, 'par_ref')).toEqual({
      cash: [{ currency: 'USD', pending: 750, available: 0, processing: 0, paid: 0 }],
      inKind: [],
    });
    expect((await verifyLedger(store.db)).problems).toEqual([]);
  });

  it("cuts the old clicks' referers down to the referring site", async () => {
    const rows = await store.db.selectFrom('clicks').select(['id', 'referer']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'clk_app', referer: 'android-app://com.google.android.gm' },
      { id: 'clk_junk', referer: null },
      { id: 'clk_none', referer: null },
      { id: 'clk_page', referer: 'https://social.example' },
      { id: 'clk_same', referer: 'https://social.example' },
    ]);
  });
});
