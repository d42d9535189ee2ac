import { randomBytes } from 'node:crypto';
import { checkEndpointUrl, EVENT_TYPES, type UrlProblem } from '../domain/webhooks.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type { Executor, Page, PageRequest } from '../store/executor.ts';
import {
  findEndpoint,
  insertEndpoint,
  listEndpointRows,
  updateEndpointRow,
  type WebhookEndpointRow,
} from '../store/repositories/webhook-endpoints.ts';
import { type Actor, audit } from './audit.ts';

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

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export async function createEndpoint(
  db: Executor,
  input: EndpointInput,
  allowPrivate: boolean,
  now: Date,
  actor: Actor,
): Promise<WebhookEndpointRow> {
  const at = now.toISOString();
  const row: WebhookEndpointRow = {
    id: newId('whk'),
    url: checkUrl(input.url, allowPrivate),
    description: input.description ?? null,
    events: checkEvents(input.events),
    status: 'enabled',
    disabled_reason: null,
    secret: newSecret(),
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
  return row;
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
  db: Executor,
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
  db: Executor,
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
  db: Executor,
  id: string,
  overlapHours: number,
  now: Date,
  actor: Actor,
): Promise<WebhookEndpointRow> {
  const current = await getEndpoint(db, id);
  const changes = {
    secret: newSecret(),
    previous_secret: overlapHours > 0 ? current.secret : null,
    previous_secret_expires_at:
      overlapHours > 0 ? new Date(now.getTime() + overlapHours * 3_600_000).toISOString() : null,
    updated_at: now.toISOString(),
  };
  await updateEndpointRow(db, id, changes);
  await audit(db, actor, now, [
    { action: 'webhook_endpoint.secret_rotated', subjectId: id, details: { overlap_hours: overlapHours } },
  ]);
  return { ...current, ...changes };
}
