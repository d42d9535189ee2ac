import type { Static } from 'typebox';
import { AppError } from '../lib/errors.ts';
import { POINTS, parseAmount, parseMoney } from '../lib/money.ts';
import type {
  CapsInput,
  QualificationInput,
  RewardSpec as RewardSpecSchema,
  Rewards,
} from './inputs/program-rules.ts';
import { MAX_RANDOM_CHARS, MIN_RANDOM_CHARS, parseCodePattern, type RewardKind } from './reward-kinds.ts';
import {
  type Cap,
  type Caps,
  DEFAULT_QUALIFICATION,
  type FixedReward,
  type KindOptions,
  kindOf,
  NO_CAPS,
  type Qualification,
  type RewardRules,
  type RewardSpec,
} from './reward-rules.ts';

// Checks incentive rules as a client sends them and turns them into the domain's `RewardRules`.
// Every error names the exact path of the offending field (`rewards.referrer_tiers.1.from_referral`).

type SpecInput = Static<typeof RewardSpecSchema>;

/** Rules as the API takes them: the schemas of inputs/program-rules.ts, which the edge validates. */
export interface RulesInput {
  rewards: Static<typeof Rewards>;
  qualification?: Static<typeof QualificationInput>;
  caps?: Static<typeof CapsInput>;
}

const MAX_BASIS_POINTS = 10_000;
// Bounds no program comes near, so a count is always a small exact integer when stored and read back.
const MAX_POSITION = 1_000_000;
const MAX_CAP_COUNT = 1_000_000_000;

type RuleErrorCode =
  | 'invalid_value'
  | 'invalid_format'
  | 'missing_field'
  | 'value_too_small'
  | 'value_too_large';

function bad(code: RuleErrorCode, message: string, param: string) {
  return new AppError(code, message, param);
}

/** An integer within [min, max], else value_too_small / value_too_large naming `param`. */
function inRange(value: number, min: number, max: number, param: string): number {
  if (value < min) throw bad('value_too_small', `${param} must be at least ${min}.`, param);
  if (value > max) throw bad('value_too_large', `${param} must be at most ${max}.`, param);
  return value;
}

function checkSpec(input: SpecInput, path: string): RewardSpec {
  return { ...checkAmounts(input, path), ...checkKind(input, path) };
}

function checkAmounts(input: SpecInput, path: string): RewardSpec {
  const hasAmount = input.amount !== undefined;
  const hasShare = input.basis_points !== undefined;
  if (hasAmount === hasShare) {
    const code = hasAmount ? 'invalid_value' : 'missing_field';
    throw bad(
      code,
      `${path} needs either amount or basis_points, not ${hasAmount ? 'both' : 'neither'}.`,
      `${path}.amount`,
    );
  }
  if (input.amount !== undefined) {
    for (const field of ['min_amount', 'max_amount'] as const) {
      if (input[field] !== undefined) {
        throw bad(
          'invalid_value',
          `${path}.${field} only applies to a share (basis_points).`,
          `${path}.${field}`,
        );
      }
    }
    return parseMoney(input.amount, input.currency, path);
  }
  const basisPoints = inRange(input.basis_points as number, 1, MAX_BASIS_POINTS, `${path}.basis_points`);
  const { currency } = parseMoney(0, input.currency, path);
  const spec: RewardSpec = { basis_points: basisPoints, currency };
  if (input.min_amount !== undefined) spec.min_amount = parseAmount(input.min_amount, `${path}.min_amount`);
  if (input.max_amount !== undefined) spec.max_amount = parseAmount(input.max_amount, `${path}.max_amount`);
  if (spec.min_amount !== undefined && spec.max_amount !== undefined && spec.min_amount > spec.max_amount) {
    throw bad('invalid_value', `${path}.max_amount must not be below min_amount.`, `${path}.max_amount`);
  }
  return spec;
}

// Which options each kind takes; any other is refused, so a typo is not silently ignored.
const KIND_OPTIONS: Record<RewardKind, readonly (keyof KindOptions)[]> = {
  cash: [],
  credit: [],
  points: ['exclusive_of_loyalty'],
  coupon: ['pool_id', 'code_pattern'],
  gift_card: ['pool_id', 'description'],
  custom: ['description'],
};

/** The kind's delivery options: exactly one way to deliver, and a fixed value where it is a thing. */
function checkKind(input: SpecInput, path: string): KindOptions {
  const kind = kindOf(input);
  for (const option of ['pool_id', 'code_pattern', 'description', 'exclusive_of_loyalty'] as const) {
    if (input[option] !== undefined && !KIND_OPTIONS[kind].includes(option)) {
      throw bad(
        'invalid_value',
        `${path}.${option} does not apply to a ${kind} reward.`,
        `${path}.${option}`,
      );
    }
  }
  const ways = ['pool_id', 'code_pattern', 'description'].filter((o) => input[o as keyof SpecInput]);
  if (ways.length > 1) {
    throw bad('invalid_value', `${path} takes one of ${ways.join(' or ')}, not both.`, `${path}.${ways[1]}`);
  }
  if (ways.length === 0 && (kind === 'coupon' || kind === 'gift_card' || kind === 'custom')) {
    const field = kind === 'custom' ? 'description' : 'pool_id';
    const how = {
      coupon: 'pool_id or code_pattern',
      gift_card: 'pool_id or description',
      custom: 'description',
    };
    throw bad('missing_field', `A ${kind} reward needs ${how[kind]}.`, `${path}.${field}`);
  }
  if ((kind === 'points') !== (input.currency === POINTS)) {
    const message =
      kind === 'points' ? `Points are counted in ${POINTS}.` : `Only points are counted in ${POINTS}.`;
    throw bad('invalid_value', `${path}.currency: ${message}`, `${path}.currency`);
  }
  if (
    input.basis_points !== undefined &&
    (input.pool_id || ['custom', 'gift_card', 'points'].includes(kind))
  ) {
    throw bad(
      'invalid_value',
      `${path}: a ${kind} reward has a fixed value; give amount, not basis_points.`,
      `${path}.basis_points`,
    );
  }
  if (input.code_pattern !== undefined && !parseCodePattern(input.code_pattern)) {
    throw bad(
      'invalid_format',
      `${path}.code_pattern must be letters, digits, - and _ around one {N}, N from ${MIN_RANDOM_CHARS} to ${MAX_RANDOM_CHARS}: FRIEND-{8}.`,
      `${path}.code_pattern`,
    );
  }
  const options: KindOptions = {};
  if (input.kind !== undefined) options.kind = input.kind;
  if (input.accounting_class !== undefined) options.accounting_class = input.accounting_class;
  for (const option of KIND_OPTIONS[kind]) {
    if (input[option] !== undefined) Object.assign(options, { [option]: input[option] });
  }
  return options;
}

/** Positions (tiers' from_referral, milestones' at_referral) must be >= 1 and strictly increasing. */
function checkOrder<T>(items: T[], position: (item: T) => number, path: string, field: string): void {
  items.forEach((item, i) => {
    const n = inRange(position(item), 1, MAX_POSITION, `${path}.${i}.${field}`);
    if (i > 0 && n <= position(items[i - 1] as T)) {
      throw bad(
        'invalid_value',
        `${path} must be in increasing ${field} order, without repeats.`,
        `${path}.${i}.${field}`,
      );
    }
  });
}

function checkQualification(input: Partial<Qualification> = {}): Qualification {
  const rule = { ...DEFAULT_QUALIFICATION, ...input };
  inRange(rule.purchase_number, 1, 100, 'qualification.purchase_number');
  if (rule.min_order)
    rule.min_order = parseMoney(rule.min_order.amount, rule.min_order.currency, 'qualification.min_order');
  if (rule.within_days !== null) inRange(rule.within_days, 1, 3650, 'qualification.within_days');
  checkCustomEvent(rule);
  return rule;
}

/** A custom event is named; only it is. Its Nth occurrence is not counted: purchases are. */
function checkCustomEvent(rule: Qualification): void {
  const param = 'qualification.event_name';
  if (rule.event !== 'custom') {
    if (rule.event_name !== null)
      throw bad('invalid_value', `${param} only applies to event "custom".`, param);
    return;
  }
  if (rule.event_name === null) throw bad('missing_field', `event "custom" needs ${param}.`, param);
  if (rule.purchase_number !== 1) {
    const numberParam = 'qualification.purchase_number';
    throw bad('invalid_value', `${numberParam} only applies to event "purchase".`, numberParam);
  }
}

function checkCap(cap: Cap | null | undefined, path: string): Cap | null {
  if (!cap) return null;
  if (cap.count === undefined && cap.amount === undefined) {
    throw bad('missing_field', `${path} needs a count, an amount, or both.`, `${path}.count`);
  }
  const checked: Cap = {};
  if (cap.count !== undefined) {
    checked.count = inRange(cap.count, 1, MAX_CAP_COUNT, `${path}.count`);
  }
  if (cap.amount) checked.amount = parseMoney(cap.amount.amount, cap.amount.currency, `${path}.amount`);
  return checked;
}

function checkCaps(input: Partial<Caps> = {}): Caps {
  const budget = input.program_monthly_budget;
  return {
    ...NO_CAPS,
    referrer_monthly: checkCap(input.referrer_monthly, 'caps.referrer_monthly'),
    referrer_lifetime: checkCap(input.referrer_lifetime, 'caps.referrer_lifetime'),
    referee_lifetime: checkCap(input.referee_lifetime, 'caps.referee_lifetime'),
    program_monthly_budget: budget
      ? parseMoney(budget.amount, budget.currency, 'caps.program_monthly_budget')
      : null,
  };
}

export function checkRules(input: RulesInput): RewardRules {
  const { rewards } = input;
  const side = (name: 'referrer' | 'referee') => {
    const spec = rewards[name];
    return spec ? checkSpec(spec, `rewards.${name}`) : null;
  };
  const tiersInput = rewards.referrer_tiers ?? [];
  checkOrder(tiersInput, (t) => t.from_referral, 'rewards.referrer_tiers', 'from_referral');
  const milestonesInput = rewards.milestones ?? [];
  checkOrder(milestonesInput, (m) => m.at_referral, 'rewards.milestones', 'at_referral');
  const rules: RewardRules = {
    referrer: side('referrer'),
    referee: side('referee'),
    referrer_tiers: tiersInput.map((t, i) => ({
      from_referral: t.from_referral,
      reward: checkSpec(t.reward, `rewards.referrer_tiers.${i}.reward`),
    })),
    milestones: milestonesInput.map((m, i) => ({
      at_referral: m.at_referral,
      reward: checkMilestoneReward(m.reward, `rewards.milestones.${i}.reward`),
    })),
    qualification: checkQualification(input.qualification),
    caps: checkCaps(input.caps),
  };
  if (!rules.referrer && !rules.referee && rules.referrer_tiers.length === 0) {
    throw bad('missing_field', 'rewards needs a referrer or a referee reward, or both.', 'rewards');
  }
  if (rules.qualification.event === 'signup') checkNoShareAtSignup(rules);
  checkLoyaltyOnRefereeOnly(rules);
  return rules;
}

/**
 * The loyalty points an order earns are its buyer's, the referee's: only the referee's reward can
 * be "the larger of the two, never both". On the referrer's side there is nothing to compare, so
 * the option would be accepted and do nothing; it is refused instead.
 */
function checkLoyaltyOnRefereeOnly(rules: RewardRules): void {
  for (const [path, spec] of specsWithPaths(rules)) {
    if (path !== 'rewards.referee' && spec?.exclusive_of_loyalty !== undefined) {
      throw bad(
        'invalid_value',
        `${path}.exclusive_of_loyalty only applies to the referee's reward: the order's loyalty points are the buyer's, not the referrer's.`,
        `${path}.exclusive_of_loyalty`,
      );
    }
  }
}

/** A milestone is a bonus of a fixed value, of any kind. */
function checkMilestoneReward(input: SpecInput, path: string): FixedReward & KindOptions {
  if (input.amount === undefined) {
    throw bad('missing_field', `${path}: a milestone bonus is a fixed amount.`, `${path}.amount`);
  }
  if (input.basis_points !== undefined) {
    const message = `${path}.basis_points: a milestone bonus is a fixed amount, not a share.`;
    throw new AppError('unknown_field', message, `${path}.basis_points`);
  }
  return checkSpec(input, path) as FixedReward & KindOptions;
}

/** Every reward spec of the rules, with the path a client wrote it at. */
function specsWithPaths(rules: RewardRules): [string, RewardSpec | null][] {
  return [
    ['rewards.referrer', rules.referrer],
    ['rewards.referee', rules.referee],
    ...rules.referrer_tiers.map((t, i): [string, RewardSpec] => [
      `rewards.referrer_tiers.${i}.reward`,
      t.reward,
    ]),
    ...rules.milestones.map((m, i): [string, RewardSpec] => [`rewards.milestones.${i}.reward`, m.reward]),
  ];
}

/** The pools a program's rules draw from, with where each is named, for the caller to check. */
export function poolsNamed(rules: RewardRules): { poolId: string; kind: RewardKind; path: string }[] {
  return specsWithPaths(rules).flatMap(([path, spec]) =>
    spec?.pool_id ? [{ poolId: spec.pool_id, kind: kindOf(spec), path: `${path}.pool_id` }] : [],
  );
}

/** A share of the order needs an order: a sign-up has none. */
function checkNoShareAtSignup(rules: RewardRules): void {
  for (const [path, spec] of specsWithPaths(rules)) {
    if (spec && 'basis_points' in spec) {
      throw bad(
        'invalid_value',
        `${path} is a share of the order, but sign-ups qualify this program and have no order.`,
        `${path}.basis_points`,
      );
    }
  }
}
