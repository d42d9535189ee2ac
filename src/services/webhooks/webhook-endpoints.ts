import { checkEndpointUrl, EVENT_TYPES, type UrlProblem } from '../../domain/webhooks.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Keyring } from '../../lib/sealing.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import {
  findEndpoint,
  insertEndpoint,
  listEndpointRows,
  updateEndpointRow,
  type WebhookEndpointRow,
} from '../../store/repositories/webhook-endpoints.ts';
import { type Actor, audit } from '../audit.ts';
import { newEndpointSecret } from './endpoint-secrets.ts';

export type { WebhookEndpointRow };

export interface EndpointInput {
  url: string;
  events: string[];
  description?: string | null | undefined;
}

export interface EndpointPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  status?: 'enabled' | 'disabled' | undefined;
}

const URL_PROBLEMS: Record<UrlProblem, string> = {
  invalid_url: 'url must be an absolute URL.',
  not_https: 'url must use https.',
  has_credentials: 'url must not carry a user name or password.',
  private_address:
    'url must not point at localhost or an address that is not public (private, loopback, link-local, site-local, NAT64 or 6to4 of one, reserved...).',
};

function checkUrl(url: string, allowPrivate: boolean): string {
  const problem = checkEndpointUrl(url, allowPrivate);
  if (problem) throw new AppError('invalid_url', URL_PROBLEMS[problem], 'url');
  return url;
}

function checkEvents(events: string[]): string {
  const known: readonly string[] = EVENT_TYPES;
  events.forEach((type, i) => {
    if (type !== '*' && !known.includes(type)) {
      throw new AppError(
        'invalid_value',
        `events.${i}: '${type}' is not an event type (see the README).`,
        `events.${i}`,
      );
    }
  });
  return JSON.stringify([...new Set(events)].sort());
}

/** An endpoint as written, and its signing secret in the clear: shown once, stored only sealed. */
export interface EndpointWithSecret {
  row: WebhookEndpointRow;
  secret: string;
}

export async function createEndpoint(
  db: InTransaction,
  keyring: Keyring,
  input: EndpointInput,
  allowPrivate: boolean,
  now: Date,
  actor: Actor,
): Promise<EndpointWithSecret> {
  const at = now.toISOString();
  const id = newId('whk');
  const secret = newEndpointSecret(keyring, id);
  const row: WebhookEndpointRow = {
    id,
    url: checkUrl(input.url, allowPrivate),
    description: input.description ?? null,
    events: checkEvents(input.events),
    status: 'enabled',
    disabled_reason: null,
    secret: secret.sealed,
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    created_at: at,
    updated_at: at,
    deleted_at: null,
  };
  await insertEndpoint(db, row);
  await audit(db, actor, now, [
    { action: 'webhook_endpoint.created', subjectId: row.id, details: { url: row.url } },
  ]);
  return { row, secret: secret.plain };
}

export async function getEndpoint(db: Executor, id: string): Promise<WebhookEndpointRow> {
  const row = await findEndpoint(db, id);
  if (!row) throw notFound('webhook_endpoint', id);
  return row;
}

export function listEndpoints(db: Executor, page: PageRequest): Promise<Page<WebhookEndpointRow>> {
  return listEndpointRows(db, page);
}

/** Re-enabling an endpoint clears its failure record: it gets a fresh start. */
export async function updateEndpoint(
  db: InTransaction,
  id: string,
  patch: EndpointPatch,
  allowPrivate: boolean,
  now: Date,
  actor: Actor,
): Promise<WebhookEndpointRow> {
  const current = await getEndpoint(db, id);
  const changes: Partial<WebhookEndpointRow> = { updated_at: now.toISOString() };
  if (patch.url !== undefined) changes.url = checkUrl(patch.url, allowPrivate);
  if (patch.events !== undefined) changes.events = checkEvents(patch.events);
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.status !== undefined) {
    changes.status = patch.status;
    changes.disabled_reason = patch.status === 'disabled' ? 'by_admin' : null;
    if (patch.status === 'enabled') changes.failing_since = null;
  }
  await updateEndpointRow(db, id, changes);
  await audit(db, actor, now, [
    { action: 'webhook_endpoint.updated', subjectId: id, details: { fields: Object.keys(patch).sort() } },
  ]);
  return { ...current, ...changes };
}

/** Deleted endpoints get nothing more; their delivery log stays. */
export async function deleteEndpoint(
  db: InTransaction,
  id: string,
  now: Date,
  actor: Actor,
): Promise<WebhookEndpointRow> {
  const current = await getEndpoint(db, id);
  const changes = { deleted_at: now.toISOString(), status: 'disabled' as const, disabled_reason: 'deleted' };
  await updateEndpointRow(db, id, changes);
  await audit(db, actor, now, [{ action: 'webhook_endpoint.deleted', subjectId: id }]);
  return { ...current, ...changes };
}

/**
 * A new secret, shown once. The old one keeps signing beside it (both signatures in the header)
 * for `overlapHours`, so receivers can switch without losing a delivery.
 */
export async function rotateSecret(
  db: InTransaction,
  keyring: Keyring,
  id: string,
  overlapHours: number,
  now: Date,
  actor: Actor,
): Promise<EndpointWithSecret> {
  const current = await getEndpoint(db, id);
  const secret = newEndpointSecret(keyring, id);
  const changes = {
    secret: secret.sealed,
    previous_secret: overlapHours > 0 ? current.secret : null,
    previous_secret_expires_at:
      overlapHours > 0 ? new Date(now.getTime() + overlapHours * 3_600_000).toISOString() : null,
    updated_at: now.toISOString(),
  };
  await updateEndpointRow(db, id, changes);
  await audit(db, actor, now, [
    { action: 'webhook_endpoint.secret_rotated', subjectId: id, details: { overlap_hours: overlapHours } },
  ]);
  return { row: { ...current, ...changes }, secret: secret.plain };
}
