/**
 * The fraud rules a referral passes at sign-up and at qualification. Pure: the caller measures the
 * facts (`SignupFraudFacts`, `QualificationFraudFacts`) and passes the time in; each rule that fires
 * becomes a signal with a score and a reason, and the summed score gives the outcome.
 */
import { isSequential, looksRandom } from './identity.ts';

export const FRAUD_RULES = [
  'self_referral_device',
  'self_referral_ip',
  'bulk_ip',
  'bulk_subnet',
  'disposable_email',
  'synthetic_identity',
  'burst_inactive',
  'referral_ring',
  'velocity',
  'shared_payment',
] as const;
export type FraudRule = (typeof FRAUD_RULES)[number];
export type FraudStage = 'signup' | 'qualification';

export interface FraudSignal {
  rule: FraudRule;
  stage: FraudStage;
  score: number;
  reason: string;
}

export type FraudOutcome = 'allow' | 'review' | 'block';

interface Toggle {
  enabled: boolean;
  score: number;
}

/** Windows are in whole hours. */
export interface FraudSettings {
  review_score: number;
  block_score: number;
  rules: {
    self_referral_device: Toggle;
    self_referral_ip: Toggle & { window_hours: number };
    bulk_ip: Toggle & { window_hours: number; max_signups: number };
    bulk_subnet: Toggle & { window_hours: number; max_signups: number };
    disposable_email: Toggle;
    synthetic_identity: Toggle;
    burst_inactive: Toggle & { window_hours: number; max_inactive: number };
    referral_ring: Toggle & { max_depth: number };
    velocity: Toggle & { window_hours: number; min_referrals: number; factor: number };
    shared_payment: Toggle;
  };
}

export type FraudSettingsInput = {
  review_score?: number;
  block_score?: number;
  rules?: { [R in FraudRule]?: Partial<FraudSettings['rules'][R]> };
};

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value))
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  return Object.freeze(value);
}

export const DEFAULT_FRAUD_SETTINGS: FraudSettings = deepFreeze({
  review_score: 50,
  block_score: 100,
  rules: {
    self_referral_device: { enabled: true, score: 100 },
    self_referral_ip: { enabled: true, score: 60, window_hours: 24 },
    bulk_ip: { enabled: true, score: 50, window_hours: 24, max_signups: 3 },
    bulk_subnet: { enabled: true, score: 30, window_hours: 24, max_signups: 10 },
    disposable_email: { enabled: true, score: 50 },
    synthetic_identity: { enabled: true, score: 30 },
    burst_inactive: { enabled: true, score: 40, window_hours: 1, max_inactive: 5 },
    referral_ring: { enabled: true, score: 100, max_depth: 5 },
    velocity: { enabled: true, score: 50, window_hours: 24, min_referrals: 10, factor: 5 },
    shared_payment: { enabled: true, score: 100 },
  },
});

/** `value` without its undefined fields, so a spread never blanks a setting. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Settings as stored or patched, over `base`: a PATCH sends only what changes, so every field it
 * leaves out keeps the base's value. The result shares nothing mutable with `base`.
 */
export function resolveFraudSettings(
  input: FraudSettingsInput | undefined,
  base: FraudSettings = DEFAULT_FRAUD_SETTINGS,
): FraudSettings {
  const rules = {} as Record<FraudRule, unknown>;
  for (const rule of FRAUD_RULES) rules[rule] = { ...base.rules[rule], ...defined(input?.rules?.[rule]) };
  return {
    review_score: input?.review_score ?? base.review_score,
    block_score: input?.block_score ?? base.block_score,
    rules: rules as FraudSettings['rules'],
  };
}

/** The one check a schema cannot express; the route reports it like a schema error. */
export function fraudSettingsProblem(settings: FraudSettings): { message: string; param: string } | null {
  if (settings.block_score >= settings.review_score) return null;
  return {
    message: `block_score (${settings.block_score}) must be at least review_score (${settings.review_score}).`,
    param: 'fraud.block_score',
  };
}

export interface SignupFraudFacts {
  /** Normalised referee email local part and domain, when the sign-up had an email. */
  refereeEmail: { local: string; domain: string } | null;
  /** Whether that domain (or a parent domain) is on the disposable list; the service checks the list. */
  disposableDomain: boolean;
  /** The referee's device id (hashed) is one the referrer has used. */
  deviceSharedWithReferrer: boolean;
  /** A time the referrer was seen from the referee's IP + user agent, the nearest to `at`; null if never or unknown. */
  referrerSeenOnSameIpUaAt: Date | null;
  /**
   * Other referrals in the program from the same IP / subnet in the busiest window of the rule's
   * width that holds this sign-up (fraud-windows.ts); null when the sign-up carried no IP.
   */
  sameIpReferrals: number | null;
  sameSubnetReferrals: number | null;
  /** Local parts of the referrer's most recent referees' emails (newest first, up to 10), for sequence detection. */
  recentRefereeLocals: string[];
  /** The referrer's other referrals still without any purchase, in the busiest burst_inactive window holding this sign-up. */
  referrerInactiveRecent: number;
  /** Participant ids of the chain from the referrer upward (who referred the referrer, …) when it reaches the referee: a ring; null otherwise. */
  ring: string[] | null;
  /**
   * This referrer's other referrals in the busiest velocity window holding this sign-up, and the
   * program's referrals and distinct referrers within the window either side of it (both excluding this referrer).
   */
  referrerRecentReferrals: number;
  programRecentReferrals: number;
  programRecentReferrers: number;
  at: Date;
}

export interface QualificationFraudFacts {
  /** Whom the referee's payment fingerprint is shared with, if anyone. */
  paymentSharedWith: 'referrer' | 'other_referee' | null;
}

const HOUR_MS = 3_600_000;

/** The reason for each sign-up rule that fires, or null; a disabled rule is never asked. */
const SIGNUP_CHECKS: {
  [R in FraudRule]?: (facts: SignupFraudFacts, rule: FraudSettings['rules'][R]) => string | null;
} = {
  self_referral_device: (f) =>
    f.deviceSharedWithReferrer ? 'The referee signed up from a device the referrer has used.' : null,
  // Event times, either side: a sighting after the sign-up counts too (the referrer came back on
  // the referee's connection), and so does one that arrived after it.
  self_referral_ip: (f, rule) =>
    f.referrerSeenOnSameIpUaAt !== null &&
    Math.abs(f.at.getTime() - f.referrerSeenOnSameIpUaAt.getTime()) <= rule.window_hours * HOUR_MS
      ? `The referrer was seen on this IP address and browser within ${rule.window_hours} h of the sign-up.`
      : null,
  // The counts are of other referrals, so this sign-up is the (count + 1)th.
  bulk_ip: (f, rule) =>
    f.sameIpReferrals !== null && f.sameIpReferrals >= rule.max_signups
      ? `${f.sameIpReferrals + 1} referrals from this IP address in ${rule.window_hours} h (limit ${rule.max_signups}).`
      : null,
  bulk_subnet: (f, rule) =>
    f.sameSubnetReferrals !== null && f.sameSubnetReferrals >= rule.max_signups
      ? `${f.sameSubnetReferrals + 1} referrals from this subnet in ${rule.window_hours} h (limit ${rule.max_signups}).`
      : null,
  disposable_email: (f) =>
    f.refereeEmail !== null && f.disposableDomain
      ? `The email domain ${f.refereeEmail.domain} is a disposable-address provider.`
      : null,
  synthetic_identity: (f) => {
    if (f.refereeEmail === null) return null;
    const patterns: string[] = [];
    if (looksRandom(f.refereeEmail.local)) patterns.push('looks machine-generated');
    if (isSequential(f.refereeEmail.local, f.recentRefereeLocals)) {
      patterns.push("continues a numbered sequence among the referrer's recent referees");
    }
    return patterns.length > 0 ? `The referee's email address ${patterns.join(' and ')}.` : null;
  },
  burst_inactive: (f, rule) =>
    f.referrerInactiveRecent >= rule.max_inactive
      ? `The referrer made ${f.referrerInactiveRecent} referrals in ${rule.window_hours} h that have no purchase yet ` +
        `(threshold ${rule.max_inactive}).`
      : null,
  referral_ring: (f, rule) =>
    f.ring !== null && f.ring.length <= rule.max_depth
      ? `The referrer's chain of referrers leads back to the referee: a ring of length ${f.ring.length} ` +
        `(checked to depth ${rule.max_depth}).`
      : null,
  // The norm is the program's mean per other active referrer, never below 1, so a quiet program
  // (or one with a single referrer) falls back to min_referrals alone.
  velocity: (f, rule) => {
    const norm = Math.max(1, f.programRecentReferrals / Math.max(1, f.programRecentReferrers));
    if (f.referrerRecentReferrals < rule.min_referrals || f.referrerRecentReferrals < rule.factor * norm) {
      return null;
    }
    return (
      `${f.referrerRecentReferrals} referrals from this referrer in ${rule.window_hours} h, against a program ` +
      `norm of ${Number(norm.toFixed(1))} per referrer (factor ${rule.factor}, minimum ${rule.min_referrals}).`
    );
  },
};

function signalsFrom<F>(
  stage: FraudStage,
  checks: { [R in FraudRule]?: (facts: F, rule: FraudSettings['rules'][R]) => string | null },
  facts: F,
  settings: FraudSettings,
): FraudSignal[] {
  const signals: FraudSignal[] = [];
  for (const rule of FRAUD_RULES) {
    const check = checks[rule] as ((facts: F, rule: Toggle) => string | null) | undefined;
    const ruleSettings: Toggle = settings.rules[rule];
    if (!check || !ruleSettings.enabled) continue;
    const reason = check(facts, ruleSettings);
    if (reason !== null) signals.push({ rule, stage, score: ruleSettings.score, reason });
  }
  return signals;
}

/** The signals of a sign-up, in the order of FRAUD_RULES. */
export function evaluateSignup(facts: SignupFraudFacts, settings: FraudSettings): FraudSignal[] {
  return signalsFrom('signup', SIGNUP_CHECKS, facts, settings);
}

const SHARED_WITH = { referrer: 'the referrer', other_referee: 'another referee' } as const;

const QUALIFICATION_CHECKS = {
  shared_payment: (f: QualificationFraudFacts) =>
    f.paymentSharedWith === null
      ? null
      : `The referee's payment method is also used by ${SHARED_WITH[f.paymentSharedWith]}.`,
};

export function evaluateQualification(
  facts: QualificationFraudFacts,
  settings: FraudSettings,
): FraudSignal[] {
  return signalsFrom('qualification', QUALIFICATION_CHECKS, facts, settings);
}

/** The rules that find a cluster only at its Nth member, and so reach back to the others. */
export type ClusterRule = 'bulk_ip' | 'bulk_subnet' | 'burst_inactive' | 'synthetic_identity' | 'velocity';

const CLUSTER_NAMES: Record<ClusterRule, (r: FraudSettings['rules']) => string> = {
  bulk_ip: (r) =>
    `sign-ups from one IP address, more than ${r.bulk_ip.max_signups} in ${r.bulk_ip.window_hours} h`,
  bulk_subnet: (r) =>
    `sign-ups from one subnet, more than ${r.bulk_subnet.max_signups} in ${r.bulk_subnet.window_hours} h`,
  burst_inactive: (r) =>
    `this referrer's referrals with no purchase, more than ${r.burst_inactive.max_inactive} in ${r.burst_inactive.window_hours} h`,
  synthetic_identity: () => "a numbered series of email addresses among the referrer's referees",
  velocity: (r) =>
    `this referrer's referrals, ${r.velocity.min_referrals} or more in ${r.velocity.window_hours} h`,
};

/**
 * The signal an earlier member of a cluster gets once the rule finds the cluster at `foundById`:
 * the rule's score, and a reason naming the cluster and the sign-up that found it.
 */
export function clusterSignal(rule: ClusterRule, settings: FraudSettings, foundById: string): FraudSignal {
  const name = CLUSTER_NAMES[rule](settings.rules);
  const reason = `Part of a cluster found at referral ${foundById}: ${name}.`;
  return { rule, stage: 'signup', score: settings.rules[rule].score, reason };
}

/** Signals add up, to those of an earlier stage (`priorScore`); reaching a threshold exactly is enough. */
export function fraudOutcome(
  signals: readonly FraudSignal[],
  settings: FraudSettings,
  priorScore = 0,
): FraudOutcome {
  const total = signals.reduce((sum, signal) => sum + signal.score, priorScore);
  if (total >= settings.block_score) return 'block';
  if (total >= settings.review_score) return 'review';
  return 'allow';
}
