// Contract: stock under concurrency. Writes fired at once must serialise as if one after the
// other: stock 1 and two carts means one hold; K units and N buyers means K orders. A property
// test then runs random interleavings and checks the no-oversell invariant after every step.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CommitOrderResult } from '../../../src/core/ports.ts';
import { commit, counters, hold, receive, t0Ms, type UseStore } from '../fixtures.ts';
import { interleavingProperty } from './stock-property.ts';

const minuteMs = 60_000;

function tally(results: CommitOrderResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const key = result.ok ? 'ok' : result.reason;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function concurrencyCases(use: UseStore): void {
  describe('concurrency', () => {
    it('gives the last unit to exactly one of two carts holding at once', use(async (store) => {
      await receive(store, 'drop', 1);
      const results = await Promise.all([
        store.stock.setHolds('cart_1', [hold('drop', 1, t0Ms + minuteMs)], t0Ms),
        store.stock.setHolds('cart_2', [hold('drop', 1, t0Ms + minuteMs)], t0Ms),
      ]);
      assert.equal(results.filter((result) => result.ok).length, 1);
      assert.deepEqual(results.find((result) => !result.ok), { ok: false, shortages: [{ sku: 'drop', requested: 1, available: 0 }] });
      assert.deepEqual(await counters(store, 'drop'), { onHand: 1, sold: 0, held: 1, available: 0 });
    }));

    it('holds for as many carts as the stock covers when many hold at once', use(async (store) => {
      await receive(store, 'drop', 10);
      const results = await Promise.all(Array.from({ length: 12 }, (_, index) => store.stock.setHolds(`cart_${index}`, [hold('drop', 3, t0Ms + minuteMs)], t0Ms)));
      assert.equal(results.filter((result) => result.ok).length, 3);
      assert.deepEqual(await counters(store, 'drop'), { onHand: 10, sold: 0, held: 9, available: 1 });
    }));

    it('sells 5 units to exactly 5 of 20 buyers checking out at once', use(async (store) => {
      await receive(store, 'drop', 5);
      const results = await Promise.all(Array.from({ length: 20 }, (_, index) => commit(store, `ord_${index}`, `cart_${index}`, [{ sku: 'drop', quantity: 1 }])));
      assert.deepEqual(tally(results), { ok: 5, 'sold-out': 15 });
      assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 5, held: 0, available: 0 });
      const numbers = results.flatMap((result) => (result.ok ? [result.order.number] : [])).sort();
      assert.deepEqual(numbers, [1001, 1002, 1003, 1004, 1005]);
      assert.equal((await store.events.listEvents(0, 100)).length, 5);
    }));

    it('keeps held units for their carts when everyone checks out at once', use(async (store) => {
      await receive(store, 'drop', 5);
      for (const index of [0, 1, 2]) assert.equal((await store.stock.setHolds(`cart_${index}`, [hold('drop', 1, t0Ms + minuteMs)], t0Ms)).ok, true);
      const results = await Promise.all(Array.from({ length: 20 }, (_, index) => commit(store, `ord_${index}`, `cart_${index}`, [{ sku: 'drop', quantity: 1 }])));
      assert.deepEqual(tally(results), { ok: 5, 'sold-out': 15 });
      assert.deepEqual([0, 1, 2].map((index) => results[index]?.ok), [true, true, true]);
      assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 5, held: 0, available: 0 });
    }));

    it('turns one cart into one order when its checkout is fired many times at once', use(async (store) => {
      await receive(store, 'tee-m', 100);
      const results = await Promise.all(Array.from({ length: 5 }, (_, index) => commit(store, `ord_${index}`, 'cart_1', [{ sku: 'tee-m', quantity: 1 }])));
      assert.deepEqual(tally(results), { ok: 1, 'cart-completed': 4 });
      const winner = results.find((result) => result.ok);
      for (const result of results) if (!result.ok && result.reason === 'cart-completed') assert.equal(result.orderId, winner?.ok ? winner.order.id : undefined);
      assert.equal((await counters(store, 'tee-m')).sold, 1);
    }));

    it('ends a cart\'s hold with its order when another checkout of the same cart fails at once', use(async (store) => {
      // Found by the property below (fast-check seed -1202029309): a checkout that fails on one
      // SKU gives its cart's hold on another back, while a second checkout of the same cart sold
      // that SKU without the hold it had lent. The hold must not outlive the cart's order.
      await receive(store, 'gone', 1);
      await receive(store, 'tee', 3);
      assert.deepEqual(await commit(store, 'ord_other', 'cart_other', [{ sku: 'gone', quantity: 1 }]).then((result) => result.ok), true);
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee', 2, t0Ms + minuteMs)], t0Ms)).ok, true);
      const results = await Promise.all([
        commit(store, 'ord_a', 'cart_1', [{ sku: 'gone', quantity: 1 }, { sku: 'tee', quantity: 1 }]),
        commit(store, 'ord_b', 'cart_1', [{ sku: 'tee', quantity: 2 }]),
      ]);
      assert.deepEqual(tally(results), { 'sold-out': 1, ok: 1 });
      assert.deepEqual(await counters(store, 'tee'), { onHand: 3, sold: 2, held: 0, available: 1 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), []);
    }));

    it('keeps all of a cart\'s hold while its checkout buys part of it, so a failing checkout leaves no room for others', use(async (store) => {
      // Found by the property below (fast-check seed -1944076927): a checkout buying 1 of the 3
      // units its cart held let the other 2 go while it ran; another cart bought one of them,
      // and when the checkout failed on a second SKU its hold of 3 came back: sold 1 + held 3
      // on 3 units. The whole hold must stay counted until the checkout ends.
      for (let round = 0; round < 8; round += 1) {
        const tee = `tee_${round}`;
        const gone = `gone_${round}`;
        await receive(store, tee, 3);
        assert.equal((await store.stock.setHolds(`holder_${round}`, [hold(tee, 3, t0Ms + minuteMs)], t0Ms)).ok, true);
        const results = await Promise.all([
          commit(store, `ord_holder_${round}`, `holder_${round}`, [{ sku: tee, quantity: 1 }, { sku: gone, quantity: 1 }]),
          ...Array.from({ length: 4 }, (_, index) => commit(store, `ord_${round}_${index}`, `other_${round}_${index}`, [{ sku: tee, quantity: 1 }])),
        ]);
        assert.deepEqual(tally(results), { 'sold-out': 5 }, `round ${round}`);
        assert.deepEqual(await counters(store, tee), { onHand: 3, sold: 0, held: 3, available: 0 }, `round ${round}`);
      }
    }));

    it('never oversells over random interleavings of holds, releases, orders, movements and time', use(async (store) => {
      await fc.assert(interleavingProperty(store), { numRuns: 100 });
    }));
  });
}
