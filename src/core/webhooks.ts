// The event feed and webhook subscriptions of the Admin API. Delivery itself happens outside
// the core (src/outbox/relay.ts), from the outbox, at least once.

import type { CoreDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import { eventTypes, type EventType, type StoredEvent } from './events.ts';
import type { Webhook } from './ports.ts';

export const eventPageSizeMax = 500;
export const webhooksMax = 20;

export interface WebhookService {
  events(afterSequence: number, limit: number): Promise<{ items: StoredEvent[]; nextCursor: string | null }>;
  list(): Promise<Webhook[]>;
  create(input: { url: string; eventTypes: EventType[] }): Promise<Webhook>;
  remove(id: string): Promise<void>;
}

/**
 * `settled` waits for the paid marks this process wrote after answering (orders.ts): the feed
 * waits too, so an order whose checkout was answered never shows here as only placed.
 */
export function createWebhookService(deps: CoreDeps, settled: () => Promise<void>): WebhookService {
  const { store, clock, ids } = deps;
  return {
    async events(afterSequence, limit) {
      await settled();
      const items = await store.events.listEvents(afterSequence, Math.min(Math.max(1, limit), eventPageSizeMax));
      const last = items.at(-1);
      // The cursor is where the next read starts; an empty page keeps the caller where it was.
      return { items, nextCursor: String(last?.sequence ?? afterSequence) };
    },

    list: () => store.events.listWebhooks(),

    async create(input) {
      const existing = await store.events.listWebhooks();
      if (existing.length >= webhooksMax) {
        throw new DomainError('over-limit', `A shop has at most ${webhooksMax} webhooks.`, { limit: 'webhooks', max: webhooksMax });
      }
      for (const type of input.eventTypes) {
        if (!eventTypes.includes(type)) throw new DomainError('validation', `Unknown event type ${type}.`, { field: 'events' });
      }
      const nowMs = clock.nowMs();
      // A new subscriber starts with the events that come after it, not with the whole history.
      const latest = await latestSequence(deps);
      const webhook: Webhook = {
        id: ids.newId('wh'),
        url: input.url,
        eventTypes: input.eventTypes,
        secret: `whsec_${ids.newSecret()}`,
        createdAtMs: nowMs,
        deliveredThrough: latest,
        attempts: 0,
        nextAttemptAtMs: nowMs,
        lastError: null,
      };
      await store.events.createWebhook(webhook);
      return webhook;
    },

    async remove(id) {
      if (!(await store.events.deleteWebhook(id))) throw new DomainError('not-found', 'No webhook with this id.', { resource: 'webhook' });
    },
  };
}

async function latestSequence(deps: CoreDeps): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await deps.store.events.listEvents(after, eventPageSizeMax);
    const last = page.at(-1);
    if (last === undefined) return after;
    after = last.sequence;
  }
}
