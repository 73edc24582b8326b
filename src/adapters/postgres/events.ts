// The EventStore port on PostgreSQL: the transactional outbox (written by orders.ts in the
// order's own transaction, read here as a feed) and the webhooks that relay it, with leases
// taken by FOR UPDATE SKIP LOCKED, so many instances relaying never deliver to one webhook at once.

import { DomainError } from '../../core/errors.ts';
import type { DomainEvent, EventType, StoredEvent } from '../../core/events.ts';
import type { EventStore, Webhook } from '../../core/ports.ts';
import { eventPageSizeMax } from '../sqlite/events.ts';
import { int, json, pageSize, refuseNul, text, textOrNull, type Row } from './codec.ts';
import { read, transaction, type Sql, type Tx } from './connection.ts';

const webhookColumns = 'id, url, event_types_json, secret, created_at_ms, delivered_through, attempts, next_attempt_at_ms, last_error';

/**
 * Appends events to the outbox inside the caller's transaction. Their sequence comes from a
 * counter row locked until the commit, so sequences follow commit order: a reader that has
 * seen sequence n can never later find a smaller one appear (a SEQUENCE would allow exactly
 * that, and the relay would skip the late event). Call it last, just before the commit: the
 * counter row is the one lock every order shares.
 */
export async function appendEvents(tx: Tx, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  for (const event of events) refuseNul({ 'event id': event.id, 'event type': event.type });
  const [counter] = (await tx`UPDATE counters SET value = value + ${events.length} WHERE name = 'event_sequence' RETURNING value`) as Row[];
  if (counter === undefined) throw new Error('the event_sequence counter is missing');
  const first = int(counter, 'value') - events.length + 1;
  await insertEvents(
    tx,
    events.map((event, index) => ({ ...event, sequence: first + index })),
  );
}

/** Writes events whose sequences the caller took from the event_sequence counter. */
export async function insertEvents(tx: Tx, events: ReadonlyArray<DomainEvent & { sequence: number }>): Promise<void> {
  if (events.length === 0) return;
  for (const event of events) refuseNul({ 'event id': event.id, 'event type': event.type });
  await tx`
    INSERT INTO outbox_events (sequence, id, type, occurred_at_ms, data_json)
    SELECT unnest(${events.map((event) => event.sequence)}::INT8[]), unnest(${events.map((event) => event.id)}::TEXT[]),
           unnest(${events.map((event) => event.type)}::TEXT[]), unnest(${events.map((event) => event.occurredAtMs)}::INT8[]),
           unnest(${events.map((event) => JSON.stringify(event.data))}::TEXT[])`;
}

function decodeEvent(row: Row): StoredEvent {
  return {
    sequence: int(row, 'sequence'),
    id: text(row, 'id'),
    type: text(row, 'type') as EventType,
    occurredAtMs: int(row, 'occurred_at_ms'),
    data: json<DomainEvent['data']>(row, 'data_json'),
  };
}

function decodeWebhook(row: Row): Webhook {
  return {
    id: text(row, 'id'),
    url: text(row, 'url'),
    eventTypes: json<EventType[]>(row, 'event_types_json'),
    secret: text(row, 'secret'),
    createdAtMs: int(row, 'created_at_ms'),
    deliveredThrough: int(row, 'delivered_through'),
    attempts: int(row, 'attempts'),
    nextAttemptAtMs: int(row, 'next_attempt_at_ms'),
    lastError: textOrNull(row, 'last_error'),
  };
}

/** A delivery error is diagnostic text from elsewhere: keep it readable rather than refuse it. */
function cleanError(lastError: string | null): string | null {
  return lastError === null ? null : lastError.replaceAll('\u0000', '\uFFFD');
}

export function createEventStore(sql: Sql): EventStore {
  return {
    async listEvents(afterSequence, limit) {
      const rows = await read(
        () => sql`
          SELECT sequence, id, type, occurred_at_ms, data_json FROM outbox_events
          WHERE sequence > ${afterSequence} ORDER BY sequence LIMIT ${pageSize(limit, eventPageSizeMax)}`,
      );
      return (rows as Row[]).map(decodeEvent);
    },

    async createWebhook(webhook) {
      refuseNul({ 'webhook id': webhook.id, url: webhook.url, secret: webhook.secret });
      const columns = {
        id: webhook.id,
        url: webhook.url,
        event_types_json: JSON.stringify(webhook.eventTypes),
        secret: webhook.secret,
        created_at_ms: webhook.createdAtMs,
        delivered_through: webhook.deliveredThrough,
        attempts: webhook.attempts,
        next_attempt_at_ms: webhook.nextAttemptAtMs,
        last_error: cleanError(webhook.lastError),
      };
      const inserted = await transaction(sql, (tx) => tx`INSERT INTO webhooks ${tx(columns)} ON CONFLICT (id) DO NOTHING RETURNING id`);
      if (inserted.length === 0) throw new DomainError('conflict', `A webhook with id '${webhook.id}' already exists.`, { id: webhook.id });
    },

    async listWebhooks() {
      const rows = await read(() => sql.unsafe(`SELECT ${webhookColumns} FROM webhooks ORDER BY created_at_ms, id`));
      return (rows as Row[]).map(decodeWebhook);
    },

    async deleteWebhook(id) {
      return transaction(sql, async (tx) => (await tx`DELETE FROM webhooks WHERE id = ${id}`).count > 0);
    },

    async leaseDueWebhook(nowMs, leaseMs) {
      // Relays poll often; when nothing is due, say so from a read instead of a write.
      const due = await read(() => sql`SELECT 1 AS due FROM webhooks WHERE next_attempt_at_ms <= ${nowMs} LIMIT 1`);
      if (due.length === 0) return undefined;
      // Pick and push back in one transaction. SKIP LOCKED: a webhook another instance is
      // leasing right now is passed over, and once its lease is written it is no longer due.
      return transaction(sql, async (tx) => {
        const [picked] = (await tx.unsafe(
          `SELECT ${webhookColumns} FROM webhooks WHERE next_attempt_at_ms <= $1
           ORDER BY next_attempt_at_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [nowMs],
        )) as Row[];
        if (picked === undefined) return undefined;
        const webhook = decodeWebhook(picked);
        const leasedUntilMs = nowMs + leaseMs;
        await tx`UPDATE webhooks SET next_attempt_at_ms = ${leasedUntilMs} WHERE id = ${webhook.id}`;
        return { ...webhook, nextAttemptAtMs: leasedUntilMs };
      });
    },

    async recordDelivery(id, update) {
      const { deliveredThrough, attempts, nextAttemptAtMs, lastError } = update;
      await transaction(sql, (tx) => tx`
        UPDATE webhooks SET delivered_through = ${deliveredThrough}, attempts = ${attempts},
          next_attempt_at_ms = ${nextAttemptAtMs}, last_error = ${cleanError(lastError)}
        WHERE id = ${id}`);
    },
  };
}
