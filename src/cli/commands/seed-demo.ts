import { SingleBar } from 'cli-progress';
import { newId } from '../../lib/ids.ts';
import { ensureInstanceSecret } from '../../services/access/instance-secret.ts';
import { createScreening, type Screening } from '../../services/fraud/screening.ts';
import { recordEvent } from '../../services/ingest/record-event.ts';
import { enrollParticipant } from '../../services/participants/participants.ts';
import { createProgram } from '../../services/programs/programs.ts';
import type { Store } from '../../store/database.ts';
import { insertClicks } from '../../store/repositories/clicks.ts';
import { findProgram } from '../../store/repositories/programs.ts';
import { getSetting, insertSettingIfAbsent } from '../../store/repositories/settings.ts';
import { configOrExit, openMigratedStore } from '../context.ts';

export interface SeedOptions {
  participants: number;
  seed: number;
  progress?: boolean;
}

export interface SeedSummary {
  programId: string;
  participants: number;
  clicks: number;
  signups: number;
  purchases: number;
  /** True when the demo of this seed existed already: then nothing was added. */
  found: boolean;
}

/** A small deterministic generator, so the same seed gives the same demo. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const DAY_MS = 86_400_000;
const SOURCES = ['email', 'whatsapp', 'twitter', 'facebook', 'sms'];

const SEEDER = 'cli:seed-demo';

/** A demo program with referrers, their clicks, and the sign-ups and purchases those led to. */
export async function seedDemo(
  store: Store,
  options: SeedOptions,
  screening: Screening,
  now = new Date(),
): Promise<SeedSummary> {
  const rand = random(options.seed);
  const summary: SeedSummary = {
    programId: '',
    participants: 0,
    clicks: 0,
    signups: 0,
    purchases: 0,
    found: false,
  };
  // One demo per seed: its program is remembered, so running the command again finds it.
  const marker = `demo_program:seed:${options.seed}`;
  const existing = await getSetting(store.db, marker);
  if (existing && (await findProgram(store.db, existing)))
    return { ...summary, programId: existing, found: true };
  const program = await store.transaction(async (trx) => {
    const created = await createProgram(
      trx,
      {
        name: `Demo: give $20, get $20 (${now.toISOString().slice(0, 10)})`,
        landing_url: 'https://shop.example.com/welcome?from=referral',
        rewards: { referrer: { amount: 2000, currency: 'USD' }, referee: { amount: 2000, currency: 'USD' } },
        attribution_window_days: 30,
      },
      now,
      SEEDER,
    );
    if (!(await insertSettingIfAbsent(trx, marker, created.id))) {
      // A second run racing this one loses here and rolls its program back.
      if (existing === undefined) throw new Error(`another seed-demo --seed ${options.seed} is running`);
      // The remembered program is gone (a restored database): this one replaces it.
      await trx.updateTable('settings').set({ value: created.id }).where('key', '=', marker).execute();
    }
    return created;
  });
  summary.programId = program.id;
  const bar = options.progress
    ? new SingleBar({ format: 'seeding [{bar}] {value}/{total} referrers' })
    : null;
  bar?.start(options.participants, 0);

  for (let i = 0; i < options.participants; i++) {
    await store.transaction(async (trx) => {
      const start = new Date(now.getTime() - (25 + rand() * 5) * DAY_MS);
      const { participant } = await enrollParticipant(
        trx,
        {
          program_id: program.id,
          external_id: `demo-user-${i}`,
          email: `demo${i}@example.com`,
          name: `Demo ${i}`,
        },
        start,
      );
      summary.participants++;
      const clickCount = Math.floor(rand() * 6);
      for (let c = 0; c < clickCount; c++) {
        const clickedAt = new Date(start.getTime() + rand() * 20 * DAY_MS);
        const clickId = newId('clk', clickedAt.getTime());
        await insertClicks(trx, [
          {
            id: clickId,
            program_id: program.id,
            participant_id: participant.id,
            code: participant.referral_code,
            occurred_at: clickedAt.toISOString(),
            ip_hash: null,
            user_agent: 'Mozilla/5.0 (demo)',
            referer: null,
            utm_source: SOURCES[Math.floor(rand() * SOURCES.length)] ?? null,
            utm_medium: 'referral',
            utm_campaign: 'demo',
            utm_term: null,
            utm_content: null,
            device_id: null,
          },
        ]);
        summary.clicks++;
        if (rand() > 0.4) continue;
        // Customers are shared by all programs: the seed keeps two demos' friends apart.
        const friend = `demo-s${options.seed}-friend-${i}-${c}`;
        const signedUpAt = new Date(clickedAt.getTime() + rand() * DAY_MS);
        await recordEvent(
          trx,
          {
            type: 'signup',
            external_id: `signup-${friend}`,
            customer: { external_id: friend, email: `${friend}@example.net` },
            referral: { click_id: clickId },
            occurred_at: signedUpAt.toISOString(),
          },
          signedUpAt,
          SEEDER,
          screening,
        );
        summary.signups++;
        if (rand() > 0.5) continue;
        const purchasedAt = new Date(signedUpAt.getTime() + rand() * 3 * DAY_MS);
        await recordEvent(
          trx,
          {
            type: 'purchase',
            external_id: `order-${friend}`,
            customer: { external_id: friend },
            amount: 2500 + Math.floor(rand() * 20000),
            currency: 'USD',
            occurred_at: purchasedAt.toISOString(),
          },
          purchasedAt,
          SEEDER,
          screening,
        );
        summary.purchases++;
      }
    });
    bar?.increment();
  }
  bar?.stop();
  return summary;
}

export async function seedDemoCommand(options: { participants: string; seed: string }): Promise<void> {
  const participants = Number(options.participants);
  const seed = Number(options.seed);
  if (!Number.isInteger(participants) || participants < 1 || participants > 100_000) {
    console.error('vouch: --participants must be an integer from 1 to 100000');
    process.exit(2);
  }
  const config = configOrExit();
  const store = await openMigratedStore(config);
  try {
    const secret = await store.transaction((trx) => ensureInstanceSecret(trx, store.keyring, config.secret));
    const screening = createScreening(secret, config.disposableDomainsFile);
    const options = { participants, seed: Number.isFinite(seed) ? seed : 1, progress: true };
    const summary = await seedDemo(store, options, screening);
    if (summary.found) {
      console.log(
        `Found the demo of seed ${options.seed} already: program ${summary.programId}. Nothing was added; ` +
          'use another --seed for a second demo.',
      );
      return;
    }
    console.log(
      `Seeded program ${summary.programId}: ${summary.participants} referrers, ${summary.clicks} clicks, ` +
        `${summary.signups} referred sign-ups, ${summary.purchases} purchases.`,
    );
  } finally {
    await store.close();
  }
}
