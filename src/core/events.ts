// Domain events. They are written in the same transaction as the change they describe
// (transactional outbox) and delivered afterwards, at least once, keyed by their id.

import type { Order } from './order.ts';

export type EventType = 'order.placed' | 'order.paid' | 'order.fulfilled' | 'order.cancelled' | 'order.refunded';

export const eventTypes: readonly EventType[] = ['order.placed', 'order.paid', 'order.fulfilled', 'order.cancelled', 'order.refunded'];

export interface DomainEvent {
  /** Unique and stable across redeliveries: receivers drop duplicates by it. */
  id: string;
  type: EventType;
  occurredAtMs: number;
  data: { order: PublicOrder };
}

/** An event as stored: the outbox assigns a sequence that orders the feed. */
export interface StoredEvent extends DomainEvent {
  sequence: number;
}

/** The order as the outside world sees it: without the token hash. */
export type PublicOrder = Omit<Order, 'tokenHash'>;

export function toPublicOrder(order: Order): PublicOrder {
  const { tokenHash: _hidden, ...rest } = order;
  return rest;
}

export function orderEvent(id: string, type: EventType, order: Order, occurredAtMs: number): DomainEvent {
  return { id, type, occurredAtMs, data: { order: toPublicOrder(order) } };
}
