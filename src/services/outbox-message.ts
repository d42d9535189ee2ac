import type { EventData, EventType } from '../domain/webhook-events.ts';
import { newId } from '../lib/ids.ts';
import type { OutboxMessage } from '../store/repositories/outbox.ts';

/**
 * A message for the outbox, written by the caller in the same transaction as what it announces.
 * Its payload is the `data` the event catalogue documents for the topic.
 */
export function outboxMessage<T extends EventType>(
  topic: T,
  payload: EventData<T>,
  now: Date,
): OutboxMessage {
  return { id: newId('obx'), topic, payload, createdAt: now.toISOString() };
}
