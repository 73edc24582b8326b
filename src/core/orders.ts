// Order use cases after checkout: reading (merchant and shopper), capture, fulfil, cancel and
// refund. Every change is a legal transition written with its event and stock movements.

import type { CoreDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import type { EventType } from './events.ts';
import { canTransition, type Order, type OrderQuery, type OrderStatus } from './order.ts';
import type { Page } from './catalog.ts';
import type { KeepAnswer, TransitionInput } from './ports.ts';

export interface OrderService {
  get(orderId: string): Promise<Order>;
  /** The shopper's read: the token must match, and a wrong one looks like a missing order. */
  getWithToken(orderId: string, token: string): Promise<Order>;
  list(query: OrderQuery): Promise<Page<Order>>;
  /** Takes the authorised money and marks the order paid; idempotent on a paid order. */
  capture(order: Order, keep?: KeepAnswer<Order>): Promise<Order>;
  fulfil(orderId: string): Promise<Order>;
  /** Cancels, returning its units to sale; money taken is refunded, an authorisation voided. */
  cancel(orderId: string, reason: string): Promise<Order>;
  /** Captures orders left 'placed' by a process that died between writing and capturing. */
  recoverPlaced(limit: number): Promise<number>;
}

type Movements = TransitionInput['movements'];

export function createOrderService(deps: CoreDeps): OrderService {
  const { store, clock, ids, payments } = deps;

  async function load(orderId: string): Promise<Order> {
    const order = await store.orders.getOrder(orderId);
    if (order === undefined) throw new DomainError('not-found', 'No order with this id.', { resource: 'order' });
    return order;
  }

  /** Moves the order from its current status to `to`, or fails if someone moved it first. */
  async function transition(order: Order, to: OrderStatus, change: Partial<Order>, movements: Movements, keep?: KeepAnswer<Order>): Promise<Order> {
    if (!canTransition(order.status, to)) {
      throw new DomainError('illegal-transition', `An order that is ${order.status} cannot become ${to}.`, { from: order.status, to });
    }
    const nowMs = clock.nowMs();
    const next: Order = { ...order, ...change, status: to, updatedAtMs: nowMs };
    const type = `order.${to}` as EventType;
    const events = [{ id: ids.newId('evt'), type, occurredAtMs: nowMs }];
    const answer = keep?.(next);
    const applied = await store.orders.transitionOrder({ orderId: order.id, from: order.status, next, events, movements, nowMs, ...(answer === undefined ? {} : { answer }) });
    if (!applied) throw new DomainError('conflict', 'The order was changed by another request; reload it and try again.');
    return next;
  }

  function linesAs(order: Order, type: 'return' | 'ship', reason: string): Movements {
    return order.lines.map((line) => ({ sku: line.sku, type, quantity: line.quantity, reason: `${reason} ${order.id}` }));
  }

  const service: OrderService = {
    get: load,

    async getWithToken(orderId, token) {
      const order = await store.orders.getOrder(orderId);
      const hash = await ids.hashSecret(token);
      if (order === undefined || !constantTimeEqual(hash, order.tokenHash)) {
        throw new DomainError('not-found', 'No order with this id for this token.', { resource: 'order' });
      }
      return order;
    },

    list: (query) => store.orders.listOrders(query),

    async capture(order, keep) {
      if (order.status !== 'placed') return order;
      const captured = await payments.capture(order.payment.authorizationId, order.totals.totalMinor);
      if (!captured.ok) {
        await payments.void(order.payment.authorizationId);
        await transition(order, 'cancelled', {}, linesAs(order, 'return', 'capture failed for'));
        throw new DomainError('payment-declined', 'The payment could not be completed; no order was placed.');
      }
      return transition(order, 'paid', { payment: { ...order.payment, captured: true } }, [], keep);
    },

    async fulfil(orderId) {
      const order = await load(orderId);
      return transition(order, 'fulfilled', {}, linesAs(order, 'ship', 'shipped'));
    },

    async cancel(orderId, reason) {
      const order = await load(orderId);
      if (order.status === 'placed') await payments.void(order.payment.authorizationId);
      const cancelled = await transition(order, 'cancelled', {}, linesAs(order, 'return', reason || 'cancelled'));
      if (!cancelled.payment.captured) return cancelled;
      const refund = await payments.refund(cancelled.payment.authorizationId, cancelled.totals.totalMinor);
      if (!refund.ok) return cancelled;
      return transition(cancelled, 'refunded', { payment: { ...cancelled.payment, refunded: true } }, []);
    },

    async recoverPlaced(limit) {
      const stale = await store.orders.listStaleOrders('placed', clock.nowMs() - deps.config.captureRecoveryAfterMs, limit);
      let recovered = 0;
      for (const order of stale) {
        try {
          await service.capture(order);
          recovered++;
        } catch (error) {
          // A conflict means another instance recovered it; a decline cancelled it. Both are final.
          if (!(error instanceof DomainError)) throw error;
        }
      }
      return recovered;
    },
  };
  return service;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
