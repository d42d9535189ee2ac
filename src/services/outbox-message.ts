import { newId } from '../lib/ids.ts';
import type { OutboxMessage } from '../store/repositories/outbox.ts';

/** A message for the outbox, written by the caller in the same transaction as what it announces. */
export function outboxMessage(topic: string, payload: Record<string, unknown>, now: Date): OutboxMessage {
  return { id: newId('obx'), topic, payload, createdAt: now.toISOString() };
}
