// The threaded store answers the cart read from what it committed: the cart must be the one the
// row holds, each write that may leave the row otherwise must drop it, and the cache is bounded.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCartCache } from '../../src/adapters/sqlite/cart-cache.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { threadedStores } from '../support/threaded-stores.ts';
import { cart, commit, committedOrder, hold, receive, t0Ms } from './fixtures.ts';

const { withStore } = threadedStores('peakcart-cart-cache-');

/** The row as another connection reads it from the file. */
async function rowOf(path: string, cartId: string) {
  const reader = await openSqliteStore({ path, readOnly: true });
  try {
    return await reader.carts.getCart(cartId);
  } finally {
    await reader.close();
  }
}

const line = { id: 'line_1', sku: 'drop', quantity: 2, heldUntilMs: t0Ms + 60_000, addedAtMs: t0Ms };

describe('the threaded store\'s cache of the carts it wrote', () => {
  it('reads a cart it wrote back as the row holds it, from the cache', () =>
    withStore(async (store) => {
      await receive(store, 'drop', 5);
      await store.carts.createCart(cart('cart_1'));
      const created = await store.carts.getCart('cart_1');
      assert.deepEqual(created, await rowOf(store.path, 'cart_1'));
      assert.equal(await store.carts.getCart('cart_1'), created, 'the same object: the read did not ask the writer');

      const next = cart('cart_1', { version: 2, updatedAtMs: t0Ms + 1, lines: [line] });
      assert.deepEqual(await store.carts.saveCartWithHolds(next, [hold('drop', 2, t0Ms + 60_000)], t0Ms + 1), { ok: true });
      const saved = await store.carts.getCart('cart_1');
      assert.deepEqual(saved, await rowOf(store.path, 'cart_1'));
      assert.deepEqual(saved, next);
      assert.notEqual(saved, next, 'a copy: the caller keeps its own object');
      assert.ok(saved !== undefined && Object.isFrozen(saved) && Object.isFrozen(saved.lines) && Object.isFrozen(saved.lines[0]), 'frozen, since every reader gets the same object');
    }));

  it('reads the row again once a save finds another version there', () =>
    withStore(async (store) => {
      await store.carts.createCart(cart('cart_1'));
      // Another connection moves the row on, as nothing in this process does.
      const other = await openSqliteStore({ path: store.path });
      const theirs = cart('cart_1', { version: 2, currency: 'GBP', updatedAtMs: t0Ms + 5 });
      try {
        assert.equal(await other.carts.saveCart(theirs), true);
      } finally {
        await other.close();
      }
      assert.equal(await store.carts.saveCart(cart('cart_1', { version: 2, currency: 'USD' })), false);
      assert.deepEqual(await store.carts.getCart('cart_1'), theirs);
    }));

  it('reads a checked-out cart as completed, with its order', () =>
    withStore(async (store) => {
      await receive(store, 'drop', 5);
      await store.carts.createCart(cart('cart_1'));
      assert.equal((await store.carts.getCart('cart_1'))?.status, 'open');
      const order = committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'drop', quantity: 1 }]));
      const completed = await store.carts.getCart('cart_1');
      assert.equal(completed?.status, 'completed');
      assert.equal(completed?.orderId, order.id);
      assert.deepEqual(completed, await rowOf(store.path, 'cart_1'));
    }));
});

describe('createCartCache', () => {
  it('keeps at most its maximum, dropping the least recently written first', () => {
    const cache = createCartCache(2);
    cache.written(cart('cart_1'));
    cache.written(cart('cart_2'));
    cache.written(cart('cart_1', { version: 2 }));
    cache.written(cart('cart_3'));
    assert.equal(cache.get('cart_2'), undefined);
    assert.equal(cache.get('cart_1')?.version, 2);
    assert.equal(cache.get('cart_3')?.id, 'cart_3');
    cache.forget('cart_3');
    assert.equal(cache.get('cart_3'), undefined);
  });
});
