import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { Webhook } from 'standardwebhooks';
import type { components, paths, webhooks } from './schema.ts';

export type { components, paths, webhooks };
/** The body of every 4xx and 5xx answer: `{error: {type, code, message, param?}}`. */
export type VouchError = components['schemas']['Error'];
export type VouchClient = Client<paths>;
/** The body Vouch sends for an event type, e.g. `WebhookEvent<'reward.issued'>['data']['amount']`. */
export type WebhookEvent<T extends keyof webhooks> =
  webhooks[T]['post']['requestBody']['content']['application/json'];
/** Any event: switch on `type` and `data` narrows to that event's. */
export type AnyWebhookEvent = { [T in keyof webhooks]: WebhookEvent<T> }[keyof webhooks];

export interface VouchClientOptions {
  /** Where Vouch serves, e.g. `https://vouch.example.com`. */
  baseUrl: string;
  /** A secret key (`sk_…`). */
  apiKey: string;
  /** How often a request that failed in transit or with 429/502/503/504 is sent again; default 2. */
  maxRetries?: number;
  fetch?: (request: Request) => Promise<Response>;
}

const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const MAX_DELAY_MS = 8000;

/**
 * A typed client of the Vouch API: `client.POST('/v1/programs', {body})` checks the path, the
 * body and the answer against the API document at compile time, and answers `{data}` or `{error}`.
 *
 * Every POST carries an `Idempotency-Key` (a new one unless given), so a request retried after a
 * lost answer or a 5xx is applied once.
 */
export function createVouchClient(options: VouchClientOptions): VouchClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    fetch: retrying(send, options.maxRetries ?? 2),
  });
}

function retrying(send: (request: Request) => Promise<Response>, maxRetries: number) {
  return async (input: Request): Promise<Response> => {
    const request = withIdempotencyKey(input);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= maxRetries;
      let response: Response;
      try {
        response = await send(last ? request : request.clone());
      } catch (error) {
        if (last) throw error;
        await sleep(backoff(attempt, null));
        continue;
      }
      if (last || !RETRIED_STATUSES.has(response.status)) return response;
      await response.body?.cancel();
      await sleep(backoff(attempt, response.headers.get('retry-after')));
    }
  };
}

function withIdempotencyKey(request: Request): Request {
  if (request.method !== 'POST' || request.headers.has('idempotency-key')) return request;
  const headers = new Headers(request.headers);
  headers.set('idempotency-key', randomUUID());
  return new Request(request, { headers });
}

/** Retry-After when the server gives one, else 0.5 s doubling with full jitter; never above 8 s. */
function backoff(attempt: number, retryAfter: string | null): number {
  const seconds = Number(retryAfter);
  if (retryAfter && Number.isFinite(seconds)) return Math.min(seconds * 1000, MAX_DELAY_MS);
  return Math.random() * Math.min(500 * 2 ** attempt, MAX_DELAY_MS);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks a delivery's Standard Webhooks signature with the endpoint's secret (`whsec_…`) and
 * returns its event; throws when the signature or timestamp does not verify. Pass the raw body.
 */
export function verifyWebhook(
  secret: string,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
): AnyWebhookEvent {
  const single = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value[0] : value,
    ]),
  );
  return new Webhook(secret).verify(rawBody, single as Record<string, string>) as AnyWebhookEvent;
}
