// Contract: committing and changing orders. commitOrder is all or nothing: it sells, numbers
// the order, writes it with its events and completes the cart, or changes nothing at all.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Order } from '../../../src/core/order.ts';
import { cart, commit, committedOrder, counters, draft, hold, receive, rejectsWithCode, t0Ms, type UseStore } from '../fixtures.ts';
import type { Store } from '../../../src/core/ports.ts';

const minuteMs = 60_000;

/** Moves an order along, with the change's event and stock movements, as the order service does. */
async function transition(store: Store, order: Order, to: Order['status'], movements: Array<{ sku: string; type: 'return' | 'ship'; quantity: number }> = [], nowMs = t0Ms + 1) {
  const next: Order = { ...order, status: to, updatedAtMs: nowMs };
  const applied = await store.orders.transitionOrder({
    orderId: order.id,
    from: order.status,
    next,
    events: [{ id: `evt_${order.id}_${to}`, type: `order.${to}` as const, occurredAtMs: nowMs }],
    movements: movements.map((movement) => ({ ...movement, reason: `${to} ${order.id}` })),
    nowMs,
  });
  return { applied, next };
}

export function orderCases(use: UseStore): void {
  describe('orders', () => {
    it('commits an order: sells the units, frees the holds, numbers it, writes events, completes the cart', use(async (store) => {
      await receive(store, 'tee-m', 5);
      await receive(store, 'cap-m', 5);
      await store.carts.createCart(cart('cart_1'));
      await store.stock.setHolds('cart_1', [hold('tee-m', 2, t0Ms + minuteMs), hold('cap-m', 1, t0Ms + minuteMs)], t0Ms);
      const lines = [{ sku: 'tee-m', quantity: 2 }, { sku: 'mug', quantity: 1, allowBackorder: true }];
      const result = await commit(store, 'ord_1', 'cart_1', lines, { nowMs: t0Ms + 10 });
      const order = committedOrder(result);
      assert.deepEqual(order, { ...draft('ord_1', 'cart_1', lines, { nowMs: t0Ms + 10 }), number: 1001 });
      assert.deepEqual(await store.orders.getOrder('ord_1'), order);
      assert.deepEqual(await store.orders.getOrderByCart('cart_1'), order);

      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 5, sold: 2, held: 0, available: 3 });
      // Every hold of the cart is released, also on SKUs the order does not buy.
      assert.deepEqual(await counters(store, 'cap-m'), { onHand: 5, sold: 0, held: 0, available: 5 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms + 10), []);
      const [sale] = await store.stock.listMovements('tee-m', 1);
      assert.equal(sale?.type, 'sale');
      assert.equal(sale?.quantity, 2);
      assert.equal(sale?.atMs, t0Ms + 10);

      const events = await store.events.listEvents(0, 10);
      assert.equal(events.length, 1);
      const [placed] = events;
      assert.equal(placed?.id, 'evt_ord_1_placed');
      assert.equal(placed?.type, 'order.placed');
      assert.equal(placed?.occurredAtMs, t0Ms + 10);
      assert.equal(placed?.data.order.number, 1001);
      assert.equal(placed?.data.order.id, 'ord_1');
      assert.equal('tokenHash' in (placed?.data.order ?? {}), false);

      const completed = await store.carts.getCart('cart_1');
      assert.equal(completed?.status, 'completed');
      assert.equal(completed?.orderId, 'ord_1');
      assert.equal(completed?.version, 2);
    }));

    it('numbers orders sequentially from 1001', use(async (store) => {
      await receive(store, 'tee-m', 10);
      const numbers: number[] = [];
      for (const index of [1, 2, 3]) numbers.push(committedOrder(await commit(store, `ord_${index}`, `cart_${index}`, [{ sku: 'tee-m', quantity: 1 }])).number);
      assert.deepEqual(numbers, [1001, 1002, 1003]);
      const events = await store.events.listEvents(0, 10);
      assert.deepEqual(events.map((event) => event.data.order.number), [1001, 1002, 1003]);
    }));

    it('refuses a sold-out order whole: reports every short line and changes nothing', use(async (store) => {
      await receive(store, 'a', 1);
      await receive(store, 'b', 5);
      await store.carts.createCart(cart('cart_1'));
      await store.stock.setHolds('cart_1', [hold('b', 2, t0Ms + minuteMs)], t0Ms);
      const result = await commit(store, 'ord_1', 'cart_1', [{ sku: 'a', quantity: 2 }, { sku: 'b', quantity: 1 }, { sku: 'c', quantity: 1 }]);
      assert.deepEqual(result, {
        ok: false,
        reason: 'sold-out',
        shortages: [
          { sku: 'a', requested: 2, available: 1 },
          { sku: 'c', requested: 1, available: 0 },
        ],
      });
      assert.deepEqual(await counters(store, 'a'), { onHand: 1, sold: 0, held: 0, available: 1 });
      assert.deepEqual(await counters(store, 'b'), { onHand: 5, sold: 0, held: 2, available: 3 });
      assert.equal((await store.stock.listHolds('cart_1', t0Ms)).length, 1);
      assert.equal(await store.orders.getOrder('ord_1'), undefined);
      assert.deepEqual(await store.events.listEvents(0, 10), []);
      assert.equal((await store.carts.getCart('cart_1'))?.status, 'open');
      assert.equal((await store.carts.getCart('cart_1'))?.version, 1);
      // The refused order took no number.
      assert.equal(committedOrder(await commit(store, 'ord_2', 'cart_2', [{ sku: 'b', quantity: 1 }])).number, 1001);
    }));

    it("counts the cart's own holds as available to it, and other carts' holds as not", use(async (store) => {
      await receive(store, 'drop', 2);
      await store.stock.setHolds('cart_1', [hold('drop', 1, t0Ms + minuteMs)], t0Ms);
      await store.stock.setHolds('cart_2', [hold('drop', 1, t0Ms + minuteMs)], t0Ms);
      assert.deepEqual(await commit(store, 'ord_1', 'cart_1', [{ sku: 'drop', quantity: 2 }]), {
        ok: false,
        reason: 'sold-out',
        shortages: [{ sku: 'drop', requested: 2, available: 1 }],
      });
      committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'drop', quantity: 1 }]));
      assert.deepEqual(await counters(store, 'drop'), { onHand: 2, sold: 1, held: 1, available: 0 });
      // Once cart_2's hold expires, its unit is for sale again.
      committedOrder(await commit(store, 'ord_3', 'cart_3', [{ sku: 'drop', quantity: 1 }], { nowMs: t0Ms + minuteMs }));
      assert.deepEqual(await counters(store, 'drop', t0Ms + minuteMs), { onHand: 2, sold: 2, held: 0, available: 0 });
    }));

    it('enforces the per-customer limit over orders that still stand', use(async (store) => {
      await receive(store, 'drop', 10);
      const limited = (quantity: number) => [{ sku: 'drop', quantity, purchaseLimitPerCustomer: 2 }];
      const first = committedOrder(await commit(store, 'ord_1', 'cart_1', limited(2), { email: 'ada@example.com' }));
      assert.deepEqual(await commit(store, 'ord_2', 'cart_2', limited(1), { email: 'ada@example.com' }), {
        ok: false,
        reason: 'over-limit',
        sku: 'drop',
        limit: 2,
        alreadyBought: 2,
      });
      assert.equal((await counters(store, 'drop')).sold, 2);
      // Another customer has a limit of their own.
      committedOrder(await commit(store, 'ord_3', 'cart_3', limited(2), { email: 'grace@example.com' }));
      // A cancelled order does not count towards the limit.
      const { applied } = await transition(store, first, 'cancelled', [{ sku: 'drop', type: 'return', quantity: 2 }]);
      assert.equal(applied, true);
      committedOrder(await commit(store, 'ord_4', 'cart_4', limited(2), { email: 'ada@example.com' }));
      assert.deepEqual(await counters(store, 'drop'), { onHand: 10, sold: 4, held: 0, available: 6 });
    }));

    it('answers cart-completed to a second order for the same cart, with or without a cart row', use(async (store) => {
      await receive(store, 'tee-m', 10);
      await store.carts.createCart(cart('cart_1'));
      committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'tee-m', quantity: 1 }]));
      assert.deepEqual(await commit(store, 'ord_2', 'cart_1', [{ sku: 'tee-m', quantity: 1 }]), { ok: false, reason: 'cart-completed', orderId: 'ord_1' });
      committedOrder(await commit(store, 'ord_3', 'cart_without_row', [{ sku: 'tee-m', quantity: 1 }]));
      assert.deepEqual(await commit(store, 'ord_4', 'cart_without_row', [{ sku: 'tee-m', quantity: 1 }]), { ok: false, reason: 'cart-completed', orderId: 'ord_3' });
      assert.equal((await counters(store, 'tee-m')).sold, 2);
      assert.equal((await store.events.listEvents(0, 10)).length, 2);
      assert.equal(await store.orders.getOrder('ord_2'), undefined);
    }));

    it('sells beyond on-hand when the line allows backorder', use(async (store) => {
      const order = committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'preorder', quantity: 3, allowBackorder: true }]));
      assert.equal(order.number, 1001);
      assert.deepEqual(await counters(store, 'preorder'), { onHand: 0, sold: 3, held: 0, available: -3 });
    }));

    it('applies a transition only from the status it was read in', use(async (store) => {
      await receive(store, 'tee-m', 5);
      const placed = committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'tee-m', quantity: 2 }]));
      const paid = await transition(store, placed, 'paid', [], t0Ms + 5);
      assert.equal(paid.applied, true);
      assert.deepEqual(await store.orders.getOrder('ord_1'), paid.next);
      // A second writer that read 'placed' loses.
      const stale = await transition(store, placed, 'cancelled', [{ sku: 'tee-m', type: 'return', quantity: 2 }], t0Ms + 6);
      assert.equal(stale.applied, false);
      assert.deepEqual(await store.orders.getOrder('ord_1'), paid.next);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 5, sold: 2, held: 0, available: 3 });
      assert.deepEqual((await store.events.listEvents(0, 10)).map((event) => event.type), ['order.placed', 'order.paid']);
      const unknown = await transition(store, { ...placed, id: 'ord_missing' }, 'paid');
      assert.equal(unknown.applied, false);
    }));

    it('keeps the answer of the request a transition finishes, only when it applies', use(async (store) => {
      await receive(store, 'tee-m', 5);
      const placed = committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'tee-m', quantity: 1 }]));
      const scope = 'POST /store/carts/cart_1/checkout';
      const answer = { scope, key: 'key_1', response: { status: 201, body: '{"id":"ord_1","status":"paid"}', contentType: 'application/json' } };
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms, 30_000), { kind: 'started' });
      const paid: Order = { ...placed, status: 'paid', updatedAtMs: t0Ms + 2 };
      const input = { orderId: placed.id, next: paid, events: [], movements: [], nowMs: t0Ms + 2, answer };
      assert.equal(await store.orders.transitionOrder({ ...input, from: 'paid' }), false);
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + 3, 30_000), { kind: 'in-progress' });
      assert.equal(await store.orders.transitionOrder({ ...input, from: 'placed' }), true);
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + 4, 30_000), { kind: 'replay', ...answer.response });
    }));

    it('applies the movements of a transition: a cancel returns units, a fulfilment ships them', use(async (store) => {
      await receive(store, 'tee-m', 5);
      const first = committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'tee-m', quantity: 2 }]));
      const second = committedOrder(await commit(store, 'ord_2', 'cart_2', [{ sku: 'tee-m', quantity: 1 }]));
      assert.equal((await transition(store, first, 'cancelled', [{ sku: 'tee-m', type: 'return', quantity: 2 }])).applied, true);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 5, sold: 1, held: 0, available: 4 });
      const paid = await transition(store, second, 'paid');
      assert.equal((await transition(store, paid.next, 'fulfilled', [{ sku: 'tee-m', type: 'ship', quantity: 1 }], t0Ms + 9)).applied, true);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 4, sold: 0, held: 0, available: 4 });
      const [shipped] = await store.stock.listMovements('tee-m', 1);
      assert.equal(shipped?.type, 'ship');
      assert.equal(shipped?.atMs, t0Ms + 9);
      const events = await store.events.listEvents(0, 10);
      assert.deepEqual(events.map((event) => event.type), ['order.placed', 'order.placed', 'order.cancelled', 'order.paid', 'order.fulfilled']);
      assert.equal(events.at(-1)?.data.order.status, 'fulfilled');
    }));

    it('refuses a transition whose movement reason holds a NUL, changing nothing', use(async (store) => {
      await receive(store, 'tee-m', 5);
      const placed = committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'tee-m', quantity: 2 }]));
      const next: Order = { ...placed, status: 'cancelled', updatedAtMs: t0Ms + 1 };
      const cancelling = store.orders.transitionOrder({
        orderId: placed.id,
        from: 'placed',
        next,
        events: [{ id: 'evt_ord_1_cancelled', type: 'order.cancelled', occurredAtMs: t0Ms + 1 }],
        movements: [{ sku: 'tee-m', type: 'return', quantity: 2, reason: 'changed my\u0000mind' }],
        nowMs: t0Ms + 1,
      });
      await rejectsWithCode(cancelling, 'validation');
      assert.deepEqual(await store.orders.getOrder('ord_1'), placed);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 5, sold: 2, held: 0, available: 3 });
      assert.equal((await store.events.listEvents(0, 10)).length, 1);
    }));

    it('lists orders newest first, by status, in pages', use(async (store) => {
      await receive(store, 'tee-m', 10);
      const orders: Order[] = [];
      for (const index of [1, 2, 3, 4]) orders.push(committedOrder(await commit(store, `ord_${index}`, `cart_${index}`, [{ sku: 'tee-m', quantity: 1 }])));
      await transition(store, orders[1]!, 'paid');
      const first = await store.orders.listOrders({ limit: 3 });
      assert.deepEqual(first.items.map((order) => order.number), [1004, 1003, 1002]);
      assert.equal(first.items[2]?.status, 'paid');
      const second = await store.orders.listOrders({ limit: 3, cursor: first.nextCursor! });
      assert.deepEqual(second.items.map((order) => order.number), [1001]);
      assert.equal(second.nextCursor, null);
      const placed = await store.orders.listOrders({ status: 'placed', limit: 2 });
      assert.deepEqual(placed.items.map((order) => order.number), [1004, 1003]);
      const placedRest = await store.orders.listOrders({ status: 'placed', limit: 2, cursor: placed.nextCursor! });
      assert.deepEqual(placedRest.items.map((order) => order.number), [1001]);
      assert.deepEqual((await store.orders.listOrders({ status: 'refunded', limit: 10 })).items, []);
    }));

    it('lists orders stuck in a status, oldest change first', use(async (store) => {
      await receive(store, 'tee-m', 10);
      committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'tee-m', quantity: 1 }], { nowMs: t0Ms + 30 }));
      committedOrder(await commit(store, 'ord_2', 'cart_2', [{ sku: 'tee-m', quantity: 1 }], { nowMs: t0Ms + 10 }));
      const third = committedOrder(await commit(store, 'ord_3', 'cart_3', [{ sku: 'tee-m', quantity: 1 }], { nowMs: t0Ms + 20 }));
      committedOrder(await commit(store, 'ord_4', 'cart_4', [{ sku: 'tee-m', quantity: 1 }], { nowMs: t0Ms + 90 }));
      await transition(store, third, 'paid', [], t0Ms + 40);
      const stale = await store.orders.listStaleOrders('placed', t0Ms + 50, 10);
      assert.deepEqual(stale.map((order) => order.id), ['ord_2', 'ord_1']);
      assert.deepEqual((await store.orders.listStaleOrders('placed', t0Ms + 50, 1)).map((order) => order.id), ['ord_2']);
      assert.deepEqual((await store.orders.listStaleOrders('paid', t0Ms + 50, 10)).map((order) => order.id), ['ord_3']);
    }));
  });
}
