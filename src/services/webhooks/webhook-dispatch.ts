import { DISABLE_AFTER_MS, judgeAttempt, PAYLOAD_VERSION, wants } from '../../domain/webhooks.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction, Page, PageRequest } from '../../store/executor.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import {
  type AttemptRow,
  type DeliveryRow,
  findDelivery,
  insertAttempt,
  insertDeliveries,
  listAttempts,
  listDeliveryRows,
  lockUnprocessedOutbox,
  markOutboxProcessed,
  updateDelivery,
} from '../../store/repositories/webhook-deliveries.ts';
import {
  endpointExists,
  findEndpoint,
  listEnabledEndpoints,
  updateEndpointRow,
} from '../../store/repositories/webhook-endpoints.ts';
import { type Actor, audit } from '../audit.ts';
import { type Mailing, queueEmails } from '../emails/queue-emails.ts';
import { outboxMessage } from '../outbox-message.ts';

export type { DeliveryRow };

/**
 * Fans the oldest outbox messages out to the endpoints that want them: one delivery each, in the
 * transaction that marks the messages processed, so a crash fans out all of a batch or none of it.
 * An endpoint gets the messages written after it was created. With `mailing` (Vouch sends emails),
 * the emails the messages cause are written in the same transaction. How many messages were read.
 */
export async function fanOut(
  db: InTransaction,
  now: Date,
  limit: number,
  mailing?: Mailing,
): Promise<number> {
  const messages = await lockUnprocessedOutbox(db, limit);
  if (messages.length === 0) return 0;
  const endpoints = await listEnabledEndpoints(db);
  const at = now.toISOString();
  const deliveries: DeliveryRow[] = [];
  for (const message of messages) {
    const body = JSON.stringify({
      id: message.id,
      type: message.topic,
      api_version: PAYLOAD_VERSION,
      created_at: message.created_at,
      data: JSON.parse(message.payload),
    });
    for (const endpoint of endpoints) {
      if (endpoint.created_at > message.created_at || !wants(JSON.parse(endpoint.events), message.topic))
        continue;
      deliveries.push({
        id: newId('dlv'),
        endpoint_id: endpoint.id,
        message_id: message.id,
        event_type: message.topic,
        payload: body,
        status: 'pending',
        attempts: 0,
        next_attempt_at: at,
        locked_until: null,
        last_status_code: null,
        last_error: null,
        created_at: at,
        delivered_at: null,
      });
    }
  }
  await insertDeliveries(db, deliveries);
  if (mailing) await queueEmails(db, messages, mailing, now);
  await markOutboxProcessed(
    db,
    messages.map((m) => m.id),
    at,
  );
  return messages.length;
}

/** What one attempt got back: a status code, or the error that left none. */
export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** What an attempt led to: delivered, tried again later, or given up (final). */
export type AttemptOutcome = 'delivered' | 'retry' | 'final';

/** A delivery due for an endpoint that is disabled or gone: it fails for good, with no attempt. */
export async function failForDisabledEndpoint(
  db: InTransaction,
  delivery: DeliveryRow,
): Promise<AttemptOutcome> {
  await updateDelivery(db, delivery.id, {
    status: 'failed',
    locked_until: null,
    last_error: 'endpoint disabled',
  });
  return 'final';
}

/**
 * Records an attempt and decides what follows: delivered, another try later, given up, or the
 * endpoint disabled (410 Gone, or failing with no success for days, which writes an event).
 */
export async function recordAttempt(
  db: InTransaction,
  delivery: DeliveryRow,
  result: AttemptResult,
  now: Date,
  random: number,
): Promise<AttemptOutcome> {
  const at = now.toISOString();
  const attempts = delivery.attempts + 1;
  await insertAttempt(db, {
    id: newId('att'),
    delivery_id: delivery.id,
    attempted_at: at,
    status_code: result.statusCode,
    error: result.error,
    duration_ms: result.durationMs,
  });
  const judged = judgeAttempt(result.statusCode, attempts, now, random);
  const common = {
    attempts,
    locked_until: null,
    last_status_code: result.statusCode,
    last_error: result.error,
  };
  if (judged.outcome === 'delivered') {
    await updateDelivery(db, delivery.id, { ...common, status: 'delivered', delivered_at: at });
    await updateEndpointRow(db, delivery.endpoint_id, { failing_since: null });
    return 'delivered';
  }
  if (judged.outcome === 'retry') {
    await updateDelivery(db, delivery.id, { ...common, next_attempt_at: judged.at.toISOString() });
  } else {
    await updateDelivery(db, delivery.id, { ...common, status: 'failed' });
  }
  await noteFailure(db, delivery.endpoint_id, judged.outcome === 'gone' ? 'gone' : null, now);
  return judged.outcome === 'retry' ? 'retry' : 'final';
}

/** Disables an endpoint that said it is gone, or that has failed with no success for days. */
async function noteFailure(
  db: InTransaction,
  endpointId: string,
  gone: 'gone' | null,
  now: Date,
): Promise<void> {
  const endpoint = await findEndpoint(db, endpointId);
  if (endpoint?.status !== 'enabled') return;
  const failingSince = endpoint.failing_since ?? now.toISOString();
  const failingTooLong = now.getTime() - new Date(failingSince).getTime() >= DISABLE_AFTER_MS;
  if (!gone && !failingTooLong) {
    if (!endpoint.failing_since) await updateEndpointRow(db, endpointId, { failing_since: failingSince });
    return;
  }
  const reason = gone ?? 'failing';
  await updateEndpointRow(db, endpointId, {
    status: 'disabled',
    disabled_reason: reason,
    failing_since: failingSince,
  });
  await enqueue(db, [
    outboxMessage('webhook_endpoint.disabled', { webhook_endpoint_id: endpointId, reason }, now),
  ]);
}

export interface DeliveryWithAttempts extends DeliveryRow {
  attempt_log: AttemptRow[];
}

export async function listDeliveries(
  db: InTransaction,
  filter: { endpointId: string; status?: DeliveryRow['status'] | undefined },
  page: PageRequest,
): Promise<Page<DeliveryWithAttempts>> {
  if (!(await endpointExists(db, filter.endpointId))) throw notFound('webhook_endpoint', filter.endpointId);
  const rows = await listDeliveryRows(db, filter, page);
  const attempts = await listAttempts(
    db,
    rows.data.map((d) => d.id),
  );
  return {
    ...rows,
    data: rows.data.map((d) => ({ ...d, attempt_log: attempts.filter((a) => a.delivery_id === d.id) })),
  };
}

/**
 * Sends a delivery again, as it was (same `webhook-id`, so a receiver that has it can tell): now,
 * with a fresh schedule of retries. Refused while it is being attempted, and while its endpoint is
 * disabled or deleted, where it could only fail.
 */
export async function replayDelivery(
  db: InTransaction,
  id: string,
  now: Date,
  actor: Actor,
): Promise<DeliveryWithAttempts> {
  const delivery = await findDelivery(db, id);
  if (!delivery) throw notFound('webhook_delivery', id);
  if (delivery.status === 'pending' && delivery.locked_until && delivery.locked_until > now.toISOString()) {
    throw new AppError('delivery_in_progress', `Delivery '${id}' is being attempted now; replay it after.`);
  }
  const endpoint = await findEndpoint(db, delivery.endpoint_id);
  // findEndpoint finds live endpoints only: none means it was deleted.
  if (!endpoint) {
    throw new AppError(
      'endpoint_disabled',
      `Endpoint '${delivery.endpoint_id}' is deleted; its deliveries stay only as a log.`,
    );
  }
  if (endpoint.status === 'disabled') {
    throw new AppError(
      'endpoint_disabled',
      `Endpoint '${delivery.endpoint_id}' is disabled (${endpoint.disabled_reason}); enable it with PATCH {"status": "enabled"} before replaying.`,
    );
  }
  const changes = {
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: now.toISOString(),
    locked_until: null,
  };
  await updateDelivery(db, id, changes);
  await audit(db, actor, now, [{ action: 'webhook_delivery.replayed', subjectId: id }]);
  return { ...delivery, ...changes, attempt_log: await listAttempts(db, [id]) };
}
