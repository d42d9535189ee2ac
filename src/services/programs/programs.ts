import { checkEmbedOrigins } from '../../domain/embed-origins.ts';
import {
  type FraudSettings,
  type FraudSettingsInput,
  fraudSettingsProblem,
  resolveFraudSettings,
} from '../../domain/fraud.ts';
import type { ProgramInput, ProgramPatch } from '../../domain/inputs/programs.ts';
import { checkRules, poolsNamed } from '../../domain/program-rules.ts';
import { normalizeRules, type RewardRules } from '../../domain/reward-rules.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { isCurrency, POINTS, parseAmount } from '../../lib/money.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import { lockRow } from '../../store/locks.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import {
  findProgram,
  insertProgram,
  insertProgramRules,
  listProgramRows,
  type ProgramRow,
  updateProgramRow,
} from '../../store/repositories/programs.ts';
import { findPool } from '../../store/repositories/reward-pools.ts';
import { type Actor, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';

export type { ProgramInput, ProgramPatch, ProgramRow };

/** The program's fraud settings after a change: complete, and consistent across fields. */
function checkFraud(input: FraudSettingsInput | undefined, stored = '{}'): string {
  const settings = resolveFraudSettings(input, fraudSettingsOf(stored));
  const problem = fraudSettingsProblem(settings);
  if (problem) throw new AppError('invalid_value', problem.message, problem.param);
  return JSON.stringify(settings);
}

export const DEFAULT_WINDOW_DAYS = 30;
/** Long enough for most refunds to arrive before a reward can be paid. */
export const DEFAULT_HOLD_DAYS = 30;

/** Only absolute http(s) URLs without credentials: the redirect and the portal send people there. */
export function checkHttpUrl(value: string, field = 'landing_url'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('invalid_url', `${field} must be an absolute http(s) URL.`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_url', `${field} must use http or https.`, field);
  }
  if (url.username || url.password) {
    throw new AppError('invalid_url', `${field} must not contain credentials.`, field);
  }
  return url.toString();
}

/** Canonical origins, stored as JSON; a bad one is refused by its place in the list. */
function checkOrigins(values: readonly string[]): string {
  const checked = checkEmbedOrigins(values);
  if (!checked.ok) {
    const param = `embed_origins.${checked.index}`;
    const why = {
      not_an_origin: 'must be an origin: a scheme, a host and an optional port',
      not_http: 'must use http or https',
      has_path: 'must be an origin only, with no path, query or trailing slash',
    }[checked.reason];
    throw new AppError('invalid_value', `${param} ${why} (e.g. https://shop.example.com).`, param);
  }
  return JSON.stringify(checked.origins);
}

/** The origins a program lets embed its share widget. */
export const embedOriginsOf = (row: Pick<ProgramRow, 'embed_origins'>): string[] =>
  JSON.parse(row.embed_origins) as string[];

/** The schema checks the length as sent; a name of only spaces would be stored empty. */
function checkName(value: string): string {
  const name = value.trim();
  if (!name) throw new AppError('invalid_length', 'name must not be blank.', 'name');
  return name;
}

/** The rules a program row holds now. */
/** A program's fraud settings as stored, complete: what it did not set takes the defaults. */
export function fraudSettingsOf(stored: string): FraudSettings {
  return resolveFraudSettings(JSON.parse(stored));
}

export function rulesOf(program: Pick<ProgramRow, 'rewards'>): RewardRules {
  return normalizeRules(JSON.parse(program.rewards));
}

/** Each minimum is an amount in minor units of a known currency; stored as JSON. */
function checkAmountsByCurrency(field: string, input: Record<string, number>): string {
  for (const [currency, amount] of Object.entries(input)) {
    const param = `${field}.${currency}`;
    if (!isCurrency(currency)) {
      throw new AppError(
        'unknown_currency',
        `${param}: '${currency}' is not an ISO 4217 code or ${POINTS}.`,
        param,
      );
    }
    parseAmount(amount, param);
  }
  return JSON.stringify(input);
}

/**
 * A rule that draws codes must name a pool of its own program, of its kind. A new program has no
 * pools yet: it starts with other rewards and switches once its pools exist.
 */
async function checkPools(
  db: InTransaction,
  programId: string | null,
  rules: RewardRules,
): Promise<RewardRules> {
  for (const { poolId, kind, path } of poolsNamed(rules)) {
    const pool = await findPool(db, poolId);
    if (!pool || pool.program_id !== programId || pool.kind !== kind) {
      throw new AppError(
        'invalid_value',
        `${path}: '${poolId}' is not a ${kind} pool of this program.`,
        path,
      );
    }
  }
  return rules;
}

export async function createProgram(
  db: InTransaction,
  input: ProgramInput,
  now: Date,
  actor: Actor,
): Promise<ProgramRow> {
  const at = now.toISOString();
  const row: ProgramRow = {
    id: newId('prg'),
    name: checkName(input.name),
    landing_url: checkHttpUrl(input.landing_url),
    status: 'active',
    rewards: JSON.stringify(await checkPools(db, null, checkRules(input))),
    rules_version: 1,
    attribution_window_days: input.attribution_window_days ?? DEFAULT_WINDOW_DAYS,
    reward_hold_days: input.reward_hold_days ?? DEFAULT_HOLD_DAYS,
    payout_minimums: checkAmountsByCurrency('payout_minimums', input.payout_minimums ?? {}),
    tax_reporting_thresholds: checkAmountsByCurrency(
      'tax_reporting_thresholds',
      input.tax_reporting_thresholds ?? {},
    ),
    attribution_model: input.attribution_model ?? 'last_touch',
    fraud_settings: checkFraud(input.fraud),
    embed_origins: checkOrigins(input.embed_origins ?? []),
    created_at: at,
    updated_at: at,
  };
  await insertProgram(db, row);
  await insertProgramRules(db, { program_id: row.id, version: 1, rules: row.rewards, created_at: at });
  await audit(db, actor, now, [
    { action: 'program.created', subjectId: row.id, details: { rules_version: 1 } },
  ]);
  return row;
}

export async function getProgram(db: Executor, id: string, param?: string): Promise<ProgramRow> {
  const row = await findProgram(db, id);
  if (!row) throw notFound('program', id, param);
  return row;
}

export async function updateProgram(
  db: InTransaction,
  id: string,
  patch: ProgramPatch,
  now: Date,
  actor: Actor,
): Promise<ProgramRow> {
  // Concurrent changes of one program take turns (PostgreSQL), so each rules change reads the
  // version before it and gets the next one.
  await lockRow(db, 'programs', id);
  const current = await getProgram(db, id);
  const changes: Partial<ProgramRow> = { updated_at: now.toISOString() };
  if (patch.name !== undefined) changes.name = checkName(patch.name);
  if (patch.landing_url !== undefined) changes.landing_url = checkHttpUrl(patch.landing_url);
  if (patch.rewards !== undefined || patch.qualification !== undefined || patch.caps !== undefined) {
    // A new version: referrals made from now on follow it; earlier ones keep theirs.
    const rules = rulesOf(current);
    changes.rewards = JSON.stringify(
      await checkPools(
        db,
        id,
        checkRules({
          rewards: patch.rewards ?? rules,
          qualification: patch.qualification ?? rules.qualification,
          caps: patch.caps ?? rules.caps,
        }),
      ),
    );
    changes.rules_version = current.rules_version + 1;
    const version = { program_id: id, version: changes.rules_version, rules: changes.rewards };
    await insertProgramRules(db, { ...version, created_at: changes.updated_at as string });
  }
  if (patch.attribution_window_days !== undefined)
    changes.attribution_window_days = patch.attribution_window_days;
  if (patch.reward_hold_days !== undefined) changes.reward_hold_days = patch.reward_hold_days;
  if (patch.payout_minimums !== undefined)
    changes.payout_minimums = checkAmountsByCurrency('payout_minimums', patch.payout_minimums);
  if (patch.tax_reporting_thresholds !== undefined) {
    changes.tax_reporting_thresholds = checkAmountsByCurrency(
      'tax_reporting_thresholds',
      patch.tax_reporting_thresholds,
    );
  }
  if (patch.attribution_model !== undefined) changes.attribution_model = patch.attribution_model;
  if (patch.fraud !== undefined) changes.fraud_settings = checkFraud(patch.fraud, current.fraud_settings);
  if (patch.embed_origins !== undefined) changes.embed_origins = checkOrigins(patch.embed_origins);
  if (patch.status !== undefined) changes.status = patch.status;
  await updateProgramRow(db, id, changes);
  const details = {
    fields: Object.keys(patch).sort(),
    rules_version: changes.rules_version ?? current.rules_version,
  };
  await audit(db, actor, now, [{ action: 'program.updated', subjectId: id, details }]);
  // Pausing or ending a program is news for its participants (an email each) and for webhooks.
  if (changes.status !== undefined && changes.status !== current.status && changes.status !== 'active') {
    await enqueue(db, [outboxMessage(`program.${changes.status}`, { program_id: id }, now)]);
  }
  return { ...current, ...changes };
}

export async function listPrograms(db: Executor, page: PageRequest): Promise<Page<ProgramRow>> {
  return listProgramRows(db, page);
}
