// A labelled set of three weeks of sign-ups, legitimate and fraudulent, run through the default
// fraud rules twice: as a backfill (every event sent at once, each with its occurred_at) and live
// (each sent at its own time). A sign-up is "flagged" when it is held for review, blocked or
// rejected as a self-referral. The README reports what this prints, beside the rule table.
import { describe, expect, it } from 'vitest';
import { event, makeParticipant, makeProgram } from '../../support/factories.ts';
import { type Referrer, referral, referredBy, startClock } from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

useLedgerCheckedApp();

const HOUR_MS = 3_600_000;
const DAYS = 21;

interface SignUp {
  scenario: string;
  fraud: boolean;
  referrer: string;
  /** Hours after the set's start. */
  at: number;
  email: string;
  ip: string;
  /** Hours after signing up that the friend buys, if they do. */
  buysAfter?: number;
}

interface Labelled {
  referrers: { key: string; email?: string }[];
  signUps: SignUp[];
}

const FIRST = [
  'maria',
  'liam',
  'aiko',
  'omar',
  'sofia',
  'noah',
  'chloe',
  'mateo',
  'ines',
  'ravi',
  'lena',
  'tomas',
];
const LAST = ['garcia', 'okafor', 'tanaka', 'haddad', 'rossi', 'berg', 'dubois', 'silva', 'novak', 'iyer'];
const DOMAINS = ['example.com', 'example.org', 'example.net'];
let nameCount = 0;
/** A person's address, name-like and new each time (no trailing number, as most people's are). */
const personEmail = () => {
  const n = nameCount++;
  const first = FIRST[n % FIRST.length];
  const last = LAST[Math.floor(n / FIRST.length) % LAST.length];
  return `${first}.${last}.${String.fromCharCode(97 + Math.floor(n / 120))}@${DOMAINS[n % 3]}`;
};
let networkCount = 0;
/** An address of a network nobody else in the set uses: a /48 of its own. */
const ownIp = () => `2001:db8:${(++networkCount).toString(16)}::7`;

/** Deterministic spread over the three weeks, so every run judges the same set. */
const spread = (i: number, of: number) => ((i * 7919) % of) + ((i * 31) % 11) / 11;

type Member = Pick<SignUp, 'referrer' | 'at'> & Partial<Pick<SignUp, 'email' | 'ip' | 'buysAfter'>>;

function labelledSet(): Labelled {
  const referrers: Labelled['referrers'] = [];
  const signUps: SignUp[] = [];
  const referrer = (key: string, email?: string) => {
    referrers.push({ key, ...(email ? { email } : {}) });
    return key;
  };
  /** `count` sign-ups of one scenario; each a new person on a network of their own unless `member` says. */
  const scenario = (name: string, fraud: boolean, count: number, member: (i: number) => Member) => {
    for (let i = 0; i < count; i++) {
      signUps.push({ scenario: name, fraud, email: personEmail(), ip: ownIp(), ...member(i) });
    }
  };

  // Legitimate: friends of 20 customers over three weeks, half of whom buy a day later.
  for (let r = 0; r < 20; r++) referrer(`customer-${r}`);
  scenario('friends', false, 60, (i) => ({
    referrer: `customer-${Math.floor(i / 3)}`,
    at: spread(i, DAYS * 24),
    ...(i % 2 ? { buysAfter: 24 } : {}),
  }));
  // Legitimate: four households, three people signing up on one evening from the home's address.
  for (let h = 0; h < 4; h++) referrer(`parent-${h}`);
  scenario('households', false, 12, (i) => {
    const h = Math.floor(i / 3);
    return { referrer: `parent-${h}`, at: 50 + h * 90 + (i % 3), ip: `192.0.2.${10 + h}` };
  });
  // Legitimate: two offices, eight colleagues each joining about 36 h apart from the office's address.
  scenario('offices', false, 16, (i) => {
    const [o, c] = [Math.floor(i / 8), i % 8];
    return { referrer: referrer(`colleague-${o}-${c}`), at: 10 + o * 5 + c * 36, ip: `198.51.100.${20 + o}` };
  });
  // Legitimate: a referrer whose post brings seven friends in under an hour, none buying yet.
  const popular = referrer('popular');
  scenario('popular post', false, 7, (i) => ({ referrer: popular, at: 300 + i / 8 }));

  // Fraud: a farm, eight accounts from one address a quarter of an hour apart, through one link.
  const farmer = referrer('farmer');
  scenario('farm', true, 8, (i) => ({ referrer: farmer, at: 120 + i / 4, ip: '203.0.113.66' }));
  // Fraud: three colluding referrers, six accounts from one address within three hours.
  for (let r = 0; r < 3; r++) referrer(`ring-${r}`);
  scenario('shared farm', true, 6, (i) => ({
    referrer: `ring-${i % 3}`,
    at: 210 + i / 2,
    ip: '203.0.113.99',
  }));
  // Fraud: twelve accounts through one link from rotating addresses of one /24, over four hours.
  const proxied = referrer('proxied');
  scenario('proxy farm', true, 12, (i) => ({
    referrer: proxied,
    at: 280 + i / 3,
    ip: `203.0.113.${130 + i}`,
  }));
  // Fraud: a numbered series of addresses, five minutes apart, each from a network of its own.
  const series = referrer('series');
  scenario('series', true, 8, (i) => ({
    referrer: series,
    at: 400 + i / 12,
    email: `promo.user${21 + i}@example.net`,
  }));
  // Fraud: a numbered series sent slowly, one a day: nothing but the numbers gives it away.
  const slow = referrer('slow series');
  scenario('slow series', true, 3, (i) => ({
    referrer: slow,
    at: 100 + i * 24,
    email: `deal.seeker${40 + i}@example.org`,
  }));
  // Fraud: customers referring themselves under an alias of their own address.
  const own = ['samjones@gmail.com', 'raviiyer@gmail.com', 'kim.lee@gmail.com', 'abelo@gmail.com'];
  const aliases = [
    's.a.m.jones+promo@gmail.com',
    'ravi.iyer+2@gmail.com',
    'kimlee+x@googlemail.com',
    'a.b.e.l.o@gmail.com',
  ];
  scenario('aliases', true, 4, (i) => ({
    referrer: referrer(`alias-${i}`, own[i]),
    at: 30 + i * 100,
    email: aliases[i],
  }));
  return { referrers, signUps };
}

interface Judged extends SignUp {
  flagged: boolean;
}

/** Runs the set through one program, in time order; each sign-up with whether it was flagged. */
async function run(mode: 'backfill' | 'live'): Promise<Judged[]> {
  const start = startClock();
  const atHour = (hours: number) => new Date(start.getTime() + hours * HOUR_MS);
  const { referrers, signUps } = labelledSet();
  // A backfill is loaded the day after the last event; live, each event comes at its time.
  if (mode === 'backfill') t.setNow(atHour(DAYS * 24 + 24));
  const program = await makeProgram(t, { name: `labelled ${mode}` });
  const byKey = new Map<string, Referrer>();
  for (const r of referrers) {
    const made = await makeParticipant(t, program.id, r.email ? { email: r.email } : {});
    byKey.set(r.key, { ...made, program_id: program.id });
  }
  type Step = { at: number; act: () => Promise<void> };
  const referralOf = new Map<SignUp, string>();
  const customerOf = new Map<SignUp, string>();
  const steps: Step[] = [];
  for (const s of signUps) {
    steps.push({
      at: s.at,
      act: async () => {
        const signedUp = await referredBy(byKey.get(s.referrer) as Referrer, {
          email: s.email,
          context: { ip: s.ip },
          ...(mode === 'backfill' ? { occurredAt: atHour(s.at) } : {}),
        });
        referralOf.set(s, signedUp.referralId);
        customerOf.set(s, signedUp.customer);
      },
    });
    if (s.buysAfter !== undefined) {
      steps.push({
        at: s.at + s.buysAfter,
        act: async () => {
          const bought = atHour(s.at + (s.buysAfter as number));
          const res = await t.api('POST', '/v1/events', {
            ...event('purchase', customerOf.get(s) as string, { amount: 5000, currency: 'USD' }),
            ...(mode === 'backfill' ? { occurred_at: bought.toISOString() } : {}),
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
        },
      });
    }
  }
  steps.sort((a, b) => a.at - b.at);
  for (const step of steps) {
    if (mode === 'live') t.setNow(atHour(step.at));
    await step.act();
  }
  const judged: Judged[] = [];
  for (const s of signUps) {
    const body = await referral(referralOf.get(s) as string);
    const flagged = body.fraud.outcome !== 'allow' || body.status === 'rejected';
    judged.push({ ...s, flagged });
  }
  return judged;
}

/** Precision and recall of "flagged" as a verdict of "fraud", and the counts per scenario. */
function score(judged: Judged[]) {
  const tp = judged.filter((j) => j.fraud && j.flagged).length;
  const fp = judged.filter((j) => !j.fraud && j.flagged).length;
  const fn = judged.filter((j) => j.fraud && !j.flagged).length;
  const scenarios = new Map<string, { fraud: boolean; flagged: number; of: number }>();
  for (const j of judged) {
    const row = scenarios.get(j.scenario) ?? { fraud: j.fraud, flagged: 0, of: 0 };
    row.of++;
    if (j.flagged) row.flagged++;
    scenarios.set(j.scenario, row);
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn), tp, fp, fn, scenarios };
}

describe('the labelled set', () => {
  it.each(['backfill', 'live'] as const)(
    'is judged with precision >= 0.97 and recall >= 0.9, %s',
    async (mode) => {
      const result = score(await run(mode));

      const rows = [...result.scenarios].map(
        ([name, r]) => `  ${r.fraud ? 'fraud' : 'legit'}  ${name.padEnd(13)} ${r.flagged}/${r.of} flagged`,
      );
      console.info(
        `labelled set, ${mode}: precision ${result.precision.toFixed(3)}, recall ${result.recall.toFixed(3)} ` +
          `(${result.tp} caught, ${result.fp} false alarms, ${result.fn} missed)\n${rows.join('\n')}`,
      );
      expect(result.precision).toBeGreaterThanOrEqual(0.97);
      expect(result.recall).toBeGreaterThanOrEqual(0.9);
    },
  );
});
