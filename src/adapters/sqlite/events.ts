// The EventStore port on SQLite: the transactional outbox (written by orders.ts in the order's
// own transaction, read here as a feed) and the webhooks that relay it, with their leases.

import type { SQLInputValue } from 'node:sqlite';
import { DomainError } from '../../core/errors.ts';
import type { DomainEvent, EventType, StoredEvent } from '../../core/events.ts';
import type { EventStore, Webhook } from '../../core/ports.ts';
import type { Batcher } from './batcher.ts';
import { asRow, int, json, pageSize, refuseNul, text, textOrNull, type Row } from './codec.ts';
import type { Prepare } from './connection.ts';

/** Most events one listEvents call returns. */
export const eventPageSizeMax = 1000;

const webhookColumns = 'id, url, event_types_json, secret, created_at_ms, delivered_through, attempts, next_attempt_at_ms, last_error';

const sql = {
  insertEvent: 'INSERT INTO outbox_events (id, type, occurred_at_ms, data_json) VALUES (:id, :type, :occurredAtMs, :dataJson)',
  events: 'SELECT sequence, id, type, occurred_at_ms, data_json FROM outbox_events WHERE sequence > ? ORDER BY sequence LIMIT ?',
  webhookExists: 'SELECT 1 AS found FROM webhooks WHERE id = ?',
  insertWebhook: `
    INSERT INTO webhooks (${webhookColumns})
    VALUES (:id, :url, :eventTypesJson, :secret, :createdAtMs, :deliveredThrough, :attempts, :nextAttemptAtMs, :lastError)`,
  webhooks: `SELECT ${webhookColumns} FROM webhooks ORDER BY created_at_ms, id`,
  deleteWebhook: 'DELETE FROM webhooks WHERE id = ?',
  dueWebhook: `SELECT ${webhookColumns} FROM webhooks WHERE next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id LIMIT 1`,
  leaseWebhook: 'UPDATE webhooks SET next_attempt_at_ms = ? WHERE id = ?',
  recordDelivery: `
    UPDATE webhooks SET delivered_through = :deliveredThrough, attempts = :attempts,
      next_attempt_at_ms = :nextAttemptAtMs, last_error = :lastError
    WHERE id = :id`,
} as const;

/** Appends events to the outbox inside the caller's transaction; a repeated event id fails it. */
export function appendEvents(prepare: Prepare, events: readonly DomainEvent[]): void {
  for (const event of events) {
    refuseNul({ 'event id': event.id, 'event type': event.type });
    prepare(sql.insertEvent).run({ id: event.id, type: event.type, occurredAtMs: event.occurredAtMs, dataJson: JSON.stringify(event.data) });
  }
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

function webhookParams(webhook: Webhook): Record<string, SQLInputValue> {
  refuseNul({ 'webhook id': webhook.id, url: webhook.url, secret: webhook.secret });
  return {
    id: webhook.id,
    url: webhook.url,
    eventTypesJson: JSON.stringify(webhook.eventTypes),
    secret: webhook.secret,
    createdAtMs: webhook.createdAtMs,
    deliveredThrough: webhook.deliveredThrough,
    attempts: webhook.attempts,
    nextAttemptAtMs: webhook.nextAttemptAtMs,
    lastError: cleanError(webhook.lastError),
  };
}

export function createEventStore(prepare: Prepare, batcher: Batcher): EventStore {
  return {
    async listEvents(afterSequence, limit) {
      return prepare(sql.events).all(afterSequence, pageSize(limit, eventPageSizeMax)).map((found) => decodeEvent(asRow(found)));
    },

    async createWebhook(webhook) {
      await batcher.run(() => {
        if (prepare(sql.webhookExists).get(webhook.id) !== undefined) {
          throw new DomainError('conflict', `A webhook with id '${webhook.id}' already exists.`, { id: webhook.id });
        }
        prepare(sql.insertWebhook).run(webhookParams(webhook));
      });
    },

    async listWebhooks() {
      return prepare(sql.webhooks)
        .all()
        .map((found) => decodeWebhook(asRow(found)));
    },

    async deleteWebhook(id) {
      return batcher.run(() => Number(prepare(sql.deleteWebhook).run(id).changes) > 0);
    },

    async leaseDueWebhook(nowMs, leaseMs) {
      // Relays poll often; when nothing is due, say so from a read instead of a write.
      if (prepare(sql.dueWebhook).get(nowMs) === undefined) return undefined;
      // Pick and push back in one write transaction: no other instance can pick the same one
      // until the lease ends, because it sees next_attempt_at_ms in the future.
      return batcher.run(() => {
        const found = prepare(sql.dueWebhook).get(nowMs);
        if (found === undefined) return undefined;
        const webhook = decodeWebhook(asRow(found));
        const leasedUntilMs = nowMs + leaseMs;
        prepare(sql.leaseWebhook).run(leasedUntilMs, webhook.id);
        return { ...webhook, nextAttemptAtMs: leasedUntilMs };
      });
    },

    async recordDelivery(id, update) {
      const { deliveredThrough, attempts, nextAttemptAtMs, lastError } = update;
      await batcher.run(() => prepare(sql.recordDelivery).run({ id, deliveredThrough, attempts, nextAttemptAtMs, lastError: cleanError(lastError) }));
    },
  };
}
