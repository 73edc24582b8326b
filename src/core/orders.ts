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
  /**
   * Takes the authorised money and marks the order paid; idempotent on a paid order. With
   * `markPaidAfter`, the paid write is handed to deps.afterAnswer once the money is taken, and
   * the paid order is returned without waiting for it (checkout.ts says why).
   */
  capture(order: Order, keep?: KeepAnswer<Order>, options?: { markPaidAfter?: boolean }): Promise<Order>;
  /**
   * Waits for the paid writes still running in this process: of one order, or of all. Every read
   * here waits for the order's own, so this process never shows a paid order as placed.
   */
  settled(orderId?: string): Promise<void>;
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
    await settled(orderId);
    const order = await store.orders.getOrder(orderId);
    if (order === undefined) throw new DomainError('not-found', 'No order with this id.', { resource: 'order' });
    return order;
  }

  /** Paid writes handed to deps.afterAnswer and not settled yet, by order id. */
  const paying = new Map<string, Promise<unknown>>();

  async function settled(orderId?: string): Promise<void> {
    // A failed write is the runtime's to report (afterAnswer); a reader only needs it over.
    if (orderId !== undefined) await paying.get(orderId)?.catch(() => undefined);
    else await Promise.allSettled([...paying.values()]);
  }

  /**
   * Moves the order from its current status to `to`, or fails if someone moved it first. The
   * order it becomes is known before the write is: `written` settles with the write.
   */
  function startTransition(order: Order, to: OrderStatus, change: Partial<Order>, movements: Movements, keep?: KeepAnswer<Order>): { next: Order; written: Promise<Order> } {
    if (!canTransition(order.status, to)) {
      throw new DomainError('illegal-transition', `An order that is ${order.status} cannot become ${to}.`, { from: order.status, to });
    }
    const nowMs = clock.nowMs();
    const next: Order = { ...order, ...change, status: to, updatedAtMs: nowMs };
    const type = `order.${to}` as EventType;
    const events = [{ id: ids.newId('evt'), type, occurredAtMs: nowMs }];
    const answer = keep?.(next);
    const written = store.orders.transitionOrder({ orderId: order.id, from: order.status, next, events, movements, nowMs, ...(answer === undefined ? {} : { answer }) }).then((applied) => {
      if (!applied) throw new DomainError('conflict', 'The order was changed by another request; reload it and try again.');
      return next;
    });
    return { next, written };
  }

  function transition(order: Order, to: OrderStatus, change: Partial<Order>, movements: Movements, keep?: KeepAnswer<Order>): Promise<Order> {
    return startTransition(order, to, change, movements, keep).written;
  }

  function linesAs(order: Order, type: 'return' | 'ship', reason: string): Movements {
    return order.lines.map((line) => ({ sku: line.sku, type, quantity: line.quantity, reason: `${reason} ${order.id}` }));
  }

  const service: OrderService = {
    get: load,

    async getWithToken(orderId, token) {
      await settled(orderId);
      const order = await store.orders.getOrder(orderId);
      const hash = await ids.hashSecret(token);
      if (order === undefined || !constantTimeEqual(hash, order.tokenHash)) {
        throw new DomainError('not-found', 'No order with this id for this token.', { resource: 'order' });
      }
      return order;
    },

    async list(query) {
      await settled();
      return store.orders.listOrders(query);
    },

    settled,

    async capture(order, keep, options) {
      if (order.status !== 'placed') return order;
      const captured = await payments.capture(order.payment.authorizationId, order.totals.totalMinor);
      if (!captured.ok) {
        await payments.void(order.payment.authorizationId);
        await transition(order, 'cancelled', {}, linesAs(order, 'return', 'capture failed for'));
        throw new DomainError('payment-declined', 'The payment could not be completed; no order was placed.');
      }
      const paid = startTransition(order, 'paid', { payment: { ...order.payment, captured: true } }, [], keep);
      const afterAnswer = deps.afterAnswer;
      if (options?.markPaidAfter !== true || afterAnswer === undefined) return paid.written;
      paying.set(order.id, paid.written);
      const done = () => {
        if (paying.get(order.id) === paid.written) paying.delete(order.id);
      };
      paid.written.then(done, done);
      afterAnswer(paid.written, `mark order ${order.id} paid`);
      return paid.next;
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
