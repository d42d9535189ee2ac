import { decodeEncryptionKey } from './sealing.ts';

/**
 * Configuration is read from the environment once, here, validated and frozen; nothing else
 * reads process.env.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly publicUrl: string;
  readonly cookieDomain: string | undefined;
  readonly secret: string | undefined;
  readonly bootstrapKey: string | undefined;
  readonly logLevel: string;
  /** Take the client address from X-Forwarded-For (behind a load balancer). */
  readonly trustProxy: boolean;
  /** A file of extra disposable email domains, one per line, added to the packaged list. */
  readonly disposableDomainsFile: string | undefined;
  readonly webhooks: WebhookConfig;
  /** Stripe's endpoint signing secret (whsec_…): POST /integrations/stripe/webhook exists only with it. */
  readonly stripeWebhookSecret: string | undefined;
  /** The Shopify app's secret that signs its webhooks: POST /integrations/shopify/webhook exists only with it. */
  readonly shopifyWebhookSecret: string | undefined;
  readonly rateLimits: RateLimitConfig;
  /** How long a stored Idempotency-Key response is replayed before the key counts as new. */
  readonly idempotencyKeyTtlHours: number;
  /**
   * `durable`: a referral link's 302 is sent once its click is committed. `buffered`: clicks are
   * written up to 50 ms after their 302, so a crash loses that much traffic's clicks.
   */
  readonly clickWrites: 'durable' | 'buffered';
  /** The bearer token GET /metrics asks for; unset, /metrics does not exist on the API port. */
  readonly metricsToken: string | undefined;
  /** A port of its own serving /metrics without a token (for `vouch worker` too); unset, none. */
  readonly metricsPort: number | undefined;
  /**
   * The keys that seal stored secrets, newest first (VOUCH_ENCRYPTION_KEYS). Unset on SQLite, a
   * key file beside the database is used (made at first start); PostgreSQL will not start without.
   */
  readonly encryptionKeys: readonly Buffer[] | undefined;
  /** Vouch's own emails to participants; null without VOUCH_SMTP_URL: nothing is sent then. */
  readonly email: EmailConfig | null;
}

export interface EmailConfig {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start). */
  readonly smtpUrl: string;
  /** The From header: `Acme Rewards <rewards@acme.example>`. */
  readonly from: string;
  readonly replyTo: string | undefined;
}

/** A number of requests per window; null where the limit is off. */
export interface RateLimit {
  readonly points: number;
  readonly windowSeconds: number;
}

export interface RateLimitConfig {
  /** Per API key, on /v1. */
  readonly key: RateLimit | null;
  /** Per client address, on /v1, before the key is checked. */
  readonly ip: RateLimit | null;
  /** Failed authentications per client address: past it, /v1 refuses the address for the window. */
  readonly authFailures: RateLimit | null;
  /** Per client address, on referral links (/r/). */
  readonly links: RateLimit | null;
  /** Sign-in links asked for by email, per address asked for. */
  readonly signInEmail: RateLimit | null;
  /** Sign-in links asked for by email, per client address asking. */
  readonly signInIp: RateLimit | null;
}

export interface WebhookConfig {
  /** Deliver from inside `vouch serve`; off when `vouch worker` processes do it instead. */
  readonly inProcess: boolean;
  /** Let endpoints be http:// and on private, loopback and link-local addresses: development only. */
  readonly allowPrivate: boolean;
  /** Each attempt's limit, connecting and answering included. */
  readonly timeoutMs: number;
  /** Attempts in flight per process, and per endpoint, so one slow endpoint cannot hold them all. */
  readonly concurrency: number;
  readonly perEndpoint: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/vouch.db';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `must be an integer from 0 to 65535, got '${raw}'`);
  }
  return port;
}

function parseDatabaseUrl(raw: string | undefined): string {
  if (raw === undefined || raw === '') return DEFAULT_DATABASE_URL;
  if (/^(postgres|postgresql):\/\//.test(raw) || raw.startsWith('sqlite:')) return raw;
  throw new ConfigError(
    'DATABASE_URL',
    `must start with postgres://, postgresql:// or sqlite:, got '${raw}'`,
  );
}

function parsePublicUrl(raw: string | undefined, port: number): string {
  const value = raw === undefined || raw === '' ? `http://localhost:${port}` : raw;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('VOUCH_PUBLIC_URL', `must be an absolute http(s) URL, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('VOUCH_PUBLIC_URL', `must use http or https, got '${url.protocol}'`);
  }
  return value.replace(/\/+$/, '');
}

function parseSecret(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32) throw new ConfigError('VOUCH_SECRET', 'must be at least 32 characters long');
  return raw;
}

function parseBootstrapKey(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^sk_[A-Za-z0-9_]{24,}$/.test(raw)) {
    throw new ConfigError(
      'VOUCH_BOOTSTRAP_KEY',
      "must look like 'sk_' followed by at least 24 letters or digits",
    );
  }
  return raw;
}

function parseCookieDomain(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(raw)) {
    throw new ConfigError('VOUCH_COOKIE_DOMAIN', `must be a domain name such as .example.com, got '${raw}'`);
  }
  return raw;
}

function parseMetricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  // Long enough not to be guessed: the metrics describe the traffic and the outbox.
  if (raw.length < 16) throw new ConfigError('VOUCH_METRICS_TOKEN', 'must be at least 16 characters long');
  return raw;
}

function parseMetricsPort(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  return parseInteger('VOUCH_METRICS_PORT', raw, 0, 1, 65535);
}

function parseLogLevel(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'info';
  if (!LOG_LEVELS.includes(raw))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  return raw;
}

function parseBoolean(variable: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(variable, `must be true or false, got '${raw}'`);
}

function parseInteger(variable: string, raw: string | undefined, fallback: number, min: number, max: number) {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(variable, `must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function parseSwitch(variable: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(variable, `must be on or off, got '${raw}'`);
}

const RATE_LIMIT = /^([1-9][0-9]{0,8})\/([1-9][0-9]{0,5})?(s|m|h)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** `100/10s`, `20/m`, `5000/1h` (requests per window), or `off`. */
export function parseRateLimit(
  variable: string,
  raw: string | undefined,
  fallback: string,
): RateLimit | null {
  const value = raw === undefined || raw === '' ? fallback : raw;
  if (value === 'off') return null;
  const match = RATE_LIMIT.exec(value);
  if (!match) {
    throw new ConfigError(
      variable,
      `must be requests per window such as 100/10s, 20/1m or 5000/1h (1 to 999999999 per 1s to 999999h), or off, got '${value}'`,
    );
  }
  const unit = match[3] as keyof typeof UNIT_SECONDS;
  return Object.freeze({
    points: Number(match[1]),
    windowSeconds: Number(match[2] ?? 1) * UNIT_SECONDS[unit],
  });
}

// Generous for real use: a backend sending 1,000 requests a second on one key (a backfill), a
// proxy of many people behind one address opening 10 links a second; a key guesser gets 20 tries
// per 10 minutes. They stop runaway loops and floods, not customers. A person asks for a sign-in
// link a few times an hour at most; a household or office behind one address, a few dozen.
const RATE_LIMIT_DEFAULTS = {
  key: '10000/10s',
  ip: '20000/10s',
  authFailures: '20/10m',
  links: '600/1m',
  signInEmail: '5/1h',
  signInIp: '30/1h',
};

function parseRateLimits(env: Record<string, string | undefined>): RateLimitConfig {
  return Object.freeze({
    key: parseRateLimit('VOUCH_RATE_LIMIT_KEY', env.VOUCH_RATE_LIMIT_KEY, RATE_LIMIT_DEFAULTS.key),
    ip: parseRateLimit('VOUCH_RATE_LIMIT_IP', env.VOUCH_RATE_LIMIT_IP, RATE_LIMIT_DEFAULTS.ip),
    authFailures: parseRateLimit(
      'VOUCH_RATE_LIMIT_AUTH_FAILURES',
      env.VOUCH_RATE_LIMIT_AUTH_FAILURES,
      RATE_LIMIT_DEFAULTS.authFailures,
    ),
    links: parseRateLimit('VOUCH_RATE_LIMIT_LINKS', env.VOUCH_RATE_LIMIT_LINKS, RATE_LIMIT_DEFAULTS.links),
    signInEmail: parseRateLimit(
      'VOUCH_RATE_LIMIT_SIGN_IN_EMAIL',
      env.VOUCH_RATE_LIMIT_SIGN_IN_EMAIL,
      RATE_LIMIT_DEFAULTS.signInEmail,
    ),
    signInIp: parseRateLimit(
      'VOUCH_RATE_LIMIT_SIGN_IN_IP',
      env.VOUCH_RATE_LIMIT_SIGN_IN_IP,
      RATE_LIMIT_DEFAULTS.signInIp,
    ),
  });
}

function parseWebhooks(env: Record<string, string | undefined>): WebhookConfig {
  return Object.freeze({
    inProcess: parseSwitch('VOUCH_WEBHOOK_WORKER', env.VOUCH_WEBHOOK_WORKER),
    allowPrivate: parseBoolean('VOUCH_WEBHOOK_ALLOW_PRIVATE', env.VOUCH_WEBHOOK_ALLOW_PRIVATE),
    timeoutMs: parseInteger('VOUCH_WEBHOOK_TIMEOUT_MS', env.VOUCH_WEBHOOK_TIMEOUT_MS, 10_000, 100, 60_000),
    concurrency: parseInteger('VOUCH_WEBHOOK_CONCURRENCY', env.VOUCH_WEBHOOK_CONCURRENCY, 64, 1, 1024),
    perEndpoint: parseInteger('VOUCH_WEBHOOK_PER_ENDPOINT', env.VOUCH_WEBHOOK_PER_ENDPOINT, 16, 1, 1024),
  });
}

// Durable by default on SQLite, where it measured as fast as the batch; on PostgreSQL, where waiting
// for each commit measured a third of the batch's redirects per second, buffered unless asked.
function parseClickWrites(raw: string | undefined, databaseUrl: string): 'durable' | 'buffered' {
  if (raw === undefined || raw === '') return databaseUrl.startsWith('sqlite:') ? 'durable' : 'buffered';
  if (raw === 'durable') return raw;
  if (raw === 'buffered') return raw;
  throw new ConfigError('VOUCH_CLICK_WRITES', `must be durable or buffered, got '${raw}'`);
}

const ENCRYPTION_KEYS_HINT = 'make one with `vouch secrets new-key`';

function parseEncryptionKeys(raw: string | undefined, databaseUrl: string): Buffer[] | undefined {
  if (raw === undefined || raw.trim() === '') {
    if (databaseUrl.startsWith('sqlite:')) return undefined;
    throw new ConfigError(
      'VOUCH_ENCRYPTION_KEYS',
      `must be set on PostgreSQL, where no key file can be kept beside the data (${ENCRYPTION_KEYS_HINT})`,
    );
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  return entries.map((entry, i) => {
    const key = decodeEncryptionKey(entry);
    // The value is a secret: say which entry is wrong, never what it holds.
    if (!key) {
      throw new ConfigError(
        'VOUCH_ENCRYPTION_KEYS',
        `entry ${i + 1} of ${entries.length} is not a key: each is 32 bytes in base64url, comma-separated, newest first (${ENCRYPTION_KEYS_HINT})`,
      );
    }
    return key;
  });
}

// One address, optionally with a display name: `Name <local@domain>` or `local@domain`.
const MAILBOX = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

function parseMailbox(variable: string, raw: string): string {
  const value = raw.trim();
  if (!MAILBOX.test(value)) {
    throw new ConfigError(
      variable,
      `must be an address such as 'Acme Rewards <rewards@acme.example>', got '${raw}'`,
    );
  }
  return value;
}

function parseEmail(env: Record<string, string | undefined>): EmailConfig | null {
  const raw = env.VOUCH_SMTP_URL;
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL may hold a password: never echo it.
    throw new ConfigError(
      'VOUCH_SMTP_URL',
      'must be a URL such as smtp://user:password@mail.example.com:587',
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError('VOUCH_SMTP_URL', `must use smtp: or smtps:, got '${url.protocol}'`);
  }
  if (!env.VOUCH_EMAIL_FROM) throw new ConfigError('VOUCH_EMAIL_FROM', 'is required with VOUCH_SMTP_URL');
  return {
    smtpUrl: raw,
    from: parseMailbox('VOUCH_EMAIL_FROM', env.VOUCH_EMAIL_FROM),
    replyTo: env.VOUCH_EMAIL_REPLY_TO
      ? parseMailbox('VOUCH_EMAIL_REPLY_TO', env.VOUCH_EMAIL_REPLY_TO)
      : undefined,
  };
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const port = parsePort(env.PORT);
  const databaseUrl = parseDatabaseUrl(env.DATABASE_URL);
  return Object.freeze({
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    publicUrl: parsePublicUrl(env.VOUCH_PUBLIC_URL, port),
    cookieDomain: parseCookieDomain(env.VOUCH_COOKIE_DOMAIN),
    secret: parseSecret(env.VOUCH_SECRET),
    bootstrapKey: parseBootstrapKey(env.VOUCH_BOOTSTRAP_KEY),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    trustProxy: parseBoolean('VOUCH_TRUST_PROXY', env.VOUCH_TRUST_PROXY),
    disposableDomainsFile: env.VOUCH_DISPOSABLE_DOMAINS_FILE || undefined,
    webhooks: parseWebhooks(env),
    stripeWebhookSecret: env.VOUCH_STRIPE_WEBHOOK_SECRET || undefined,
    shopifyWebhookSecret: env.VOUCH_SHOPIFY_WEBHOOK_SECRET || undefined,
    rateLimits: parseRateLimits(env),
    // At least a day, so a client retrying through an outage overnight still gets its answer.
    idempotencyKeyTtlHours: parseInteger(
      'VOUCH_IDEMPOTENCY_KEY_TTL_HOURS',
      env.VOUCH_IDEMPOTENCY_KEY_TTL_HOURS,
      24,
      24,
      24 * 366,
    ),
    clickWrites: parseClickWrites(env.VOUCH_CLICK_WRITES, databaseUrl),
    metricsToken: parseMetricsToken(env.VOUCH_METRICS_TOKEN),
    metricsPort: parseMetricsPort(env.VOUCH_METRICS_PORT),
    encryptionKeys: parseEncryptionKeys(env.VOUCH_ENCRYPTION_KEYS, databaseUrl),
    email: parseEmail(env),
  });
}
