// Contract: stock holds. A cart's hold on a SKU is set to exactly N, all SKUs of a request or
// none; holds stop counting at their expiry on every read and decision, swept or not.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counters, hold, receive, t0Ms, type UseStore } from '../fixtures.ts';

const minuteMs = 60_000;

export function holdCases(use: UseStore): void {
  describe('stock holds', () => {
    it('holds units, takes them out of available and lists them for the cart', use(async (store) => {
      await receive(store, 'tee-m', 5);
      await receive(store, 'cap-m', 5);
      const result = await store.stock.setHolds('cart_1', [hold('tee-m', 2, t0Ms + minuteMs), hold('cap-m', 1, t0Ms + 2 * minuteMs)], t0Ms);
      assert.deepEqual(result, {
        ok: true,
        holds: [
          { cartId: 'cart_1', sku: 'tee-m', quantity: 2, expiresAtMs: t0Ms + minuteMs },
          { cartId: 'cart_1', sku: 'cap-m', quantity: 1, expiresAtMs: t0Ms + 2 * minuteMs },
        ],
      });
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 5, sold: 0, held: 2, available: 3 });
      const listed = await store.stock.listHolds('cart_1', t0Ms);
      assert.deepEqual(
        listed.sort((a, b) => a.sku.localeCompare(b.sku)),
        [
          { cartId: 'cart_1', sku: 'cap-m', quantity: 1, expiresAtMs: t0Ms + 2 * minuteMs },
          { cartId: 'cart_1', sku: 'tee-m', quantity: 2, expiresAtMs: t0Ms + minuteMs },
        ],
      );
      assert.deepEqual(await store.stock.listHolds('cart_2', t0Ms), []);
    }));

    it('changes nothing when one SKU is short, and reports every short SKU', use(async (store) => {
      await receive(store, 'a', 5);
      await receive(store, 'b', 1);
      await receive(store, 'c', 0);
      const result = await store.stock.setHolds('cart_1', [hold('a', 2, t0Ms + minuteMs), hold('b', 2, t0Ms + minuteMs), hold('c', 1, t0Ms + minuteMs)], t0Ms);
      assert.deepEqual(result, {
        ok: false,
        shortages: [
          { sku: 'b', requested: 2, available: 1 },
          { sku: 'c', requested: 1, available: 0 },
        ],
      });
      assert.deepEqual(await counters(store, 'a'), { onHand: 5, sold: 0, held: 0, available: 5 });
      assert.deepEqual(await counters(store, 'b'), { onHand: 1, sold: 0, held: 0, available: 1 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), []);
    }));

    it("counts the cart's own hold as available to it when the hold grows or shrinks", use(async (store) => {
      await receive(store, 'tee-m', 5);
      assert.equal((await store.stock.setHolds('cart_2', [hold('tee-m', 1, t0Ms + minuteMs)], t0Ms)).ok, true);
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee-m', 3, t0Ms + minuteMs)], t0Ms)).ok, true);
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee-m', 4, t0Ms + minuteMs)], t0Ms)).ok, true);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 5, sold: 0, held: 5, available: 0 });
      const tooMany = await store.stock.setHolds('cart_1', [hold('tee-m', 5, t0Ms + minuteMs)], t0Ms);
      assert.deepEqual(tooMany, { ok: false, shortages: [{ sku: 'tee-m', requested: 5, available: 4 }] });
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee-m', 1, t0Ms + 2 * minuteMs)], t0Ms)).ok, true);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 5, sold: 0, held: 2, available: 3 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), [{ cartId: 'cart_1', sku: 'tee-m', quantity: 1, expiresAtMs: t0Ms + 2 * minuteMs }]);
    }));

    it('setting the same hold again is a no-op that renews its expiry (safe to retry)', use(async (store) => {
      await receive(store, 'tee-m', 2);
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee-m', 2, t0Ms + minuteMs)], t0Ms)).ok, true);
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee-m', 2, t0Ms + 5 * minuteMs)], t0Ms + 1)).ok, true);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 2, sold: 0, held: 2, available: 0 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms + 2 * minuteMs), [{ cartId: 'cart_1', sku: 'tee-m', quantity: 2, expiresAtMs: t0Ms + 5 * minuteMs }]);
    }));

    it('releases a hold set to zero, some SKUs, or all of a cart', use(async (store) => {
      for (const sku of ['a', 'b', 'c']) await receive(store, sku, 3);
      await store.stock.setHolds('cart_1', [hold('a', 1, t0Ms + minuteMs), hold('b', 2, t0Ms + minuteMs), hold('c', 3, t0Ms + minuteMs)], t0Ms);
      await store.stock.setHolds('cart_2', [hold('a', 2, t0Ms + minuteMs)], t0Ms);
      const zeroed = await store.stock.setHolds('cart_1', [hold('a', 0, t0Ms + minuteMs)], t0Ms);
      assert.deepEqual(zeroed, { ok: true, holds: [] });
      assert.equal((await counters(store, 'a')).held, 2);
      await store.stock.releaseHolds('cart_1', ['b', 'not-held'], t0Ms);
      assert.deepEqual((await store.stock.listHolds('cart_1', t0Ms)).map((held) => held.sku), ['c']);
      await store.stock.releaseHolds('cart_1', undefined, t0Ms);
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), []);
      assert.deepEqual(
        [(await counters(store, 'a')).held, (await counters(store, 'b')).held, (await counters(store, 'c')).held],
        [2, 0, 0],
      );
      await store.stock.releaseHolds('cart_nobody', undefined, t0Ms);
    }));

    it('stops counting a hold at its expiry, on reads and on decisions, before any sweep', use(async (store) => {
      await receive(store, 'drop', 3);
      const expiresAtMs = t0Ms + minuteMs;
      assert.equal((await store.stock.setHolds('cart_1', [hold('drop', 3, expiresAtMs)], t0Ms)).ok, true);
      assert.deepEqual(await counters(store, 'drop', expiresAtMs - 1), { onHand: 3, sold: 0, held: 3, available: 0 });
      assert.deepEqual(await counters(store, 'drop', expiresAtMs), { onHand: 3, sold: 0, held: 0, available: 3 });
      assert.deepEqual(await store.stock.listHolds('cart_1', expiresAtMs), []);
      // Another cart gets the units the moment the hold expires.
      assert.equal((await store.stock.setHolds('cart_2', [hold('drop', 3, expiresAtMs + minuteMs)], expiresAtMs)).ok, true);
      // The first cart's expired hold is not available to it any more.
      const late = await store.stock.setHolds('cart_1', [hold('drop', 3, expiresAtMs + minuteMs)], expiresAtMs);
      assert.deepEqual(late, { ok: false, shortages: [{ sku: 'drop', requested: 3, available: 0 }] });
      assert.deepEqual(await counters(store, 'drop', expiresAtMs), { onHand: 3, sold: 0, held: 3, available: 0 });
      assert.deepEqual(await store.stock.listHolds('cart_1', expiresAtMs), []);
    }));

    it('lets a movement use units whose holds expired', use(async (store) => {
      await receive(store, 'drop', 3);
      await store.stock.setHolds('cart_1', [hold('drop', 3, t0Ms + minuteMs)], t0Ms);
      assert.equal((await store.stock.setOnHand('drop', 0, 'count', false, t0Ms + 1)).ok, false);
      assert.equal((await store.stock.setOnHand('drop', 0, 'count', false, t0Ms + minuteMs)).ok, true);
      assert.deepEqual(await counters(store, 'drop', t0Ms + minuteMs), { onHand: 0, sold: 0, held: 0, available: 0 });
    }));

    it('sweeps expired holds in batches of at most `limit`, leaving live ones', use(async (store) => {
      await receive(store, 'tee-m', 10);
      await store.stock.setHolds('cart_1', [hold('tee-m', 1, t0Ms + 1_000)], t0Ms);
      await store.stock.setHolds('cart_2', [hold('tee-m', 2, t0Ms + 2_000)], t0Ms);
      await store.stock.setHolds('cart_3', [hold('tee-m', 3, t0Ms + 3_000)], t0Ms);
      await store.stock.setHolds('cart_4', [hold('tee-m', 4, t0Ms + 9_000)], t0Ms);
      assert.equal(await store.stock.releaseExpiredHolds(t0Ms + 500, 10), 0);
      assert.equal(await store.stock.releaseExpiredHolds(t0Ms + 3_000, 2), 2);
      assert.deepEqual(await counters(store, 'tee-m', t0Ms + 3_000), { onHand: 10, sold: 0, held: 4, available: 6 });
      assert.equal(await store.stock.releaseExpiredHolds(t0Ms + 3_000, 2), 1);
      assert.equal(await store.stock.releaseExpiredHolds(t0Ms + 3_000, 2), 0);
      assert.deepEqual(await counters(store, 'tee-m', t0Ms), { onHand: 10, sold: 0, held: 4, available: 6 });
      assert.deepEqual((await store.stock.listHolds('cart_4', t0Ms)).map((held) => held.quantity), [4]);
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), []);
    }));

    it('holds beyond on-hand for a backorder request', use(async (store) => {
      const result = await store.stock.setHolds('cart_1', [hold('preorder', 4, t0Ms + minuteMs, true)], t0Ms);
      assert.equal(result.ok, true);
      assert.deepEqual(await counters(store, 'preorder'), { onHand: 0, sold: 0, held: 4, available: -4 });
      // Still all or nothing with the non-backorder SKUs of the same request.
      const mixed = await store.stock.setHolds('cart_2', [hold('preorder', 1, t0Ms + minuteMs, true), hold('limited', 1, t0Ms + minuteMs)], t0Ms);
      assert.deepEqual(mixed, { ok: false, shortages: [{ sku: 'limited', requested: 1, available: 0 }] });
      assert.equal((await counters(store, 'preorder')).held, 4);
    }));
  });
}
