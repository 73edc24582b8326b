// Contract: carts and idempotency keys. A cart saves only over the version it was read at, with
// its holds when asked; a key replays its first answer, refuses a different request, and can be
// taken over after its lease.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cart, hold, levelOf, receive, rejectsWithCode, t0Ms, type UseStore } from '../fixtures.ts';

const leaseMs = 30_000;
const response = { status: 201, body: '{"id":"ord_1"}', contentType: 'application/json' };

export function cartCases(use: UseStore): void {
  describe('carts', () => {
    it('creates a cart and reads it back', use(async (store) => {
      const created = cart('cart_1', { email: null });
      await store.carts.createCart(created);
      assert.deepEqual(await store.carts.getCart('cart_1'), created);
      assert.equal(await store.carts.getCart('cart_missing'), undefined);
      await rejectsWithCode(store.carts.createCart(cart('cart_1')), 'conflict');
    }));

    it('saves only over the version it read (optimistic concurrency)', use(async (store) => {
      await store.carts.createCart(cart('cart_1'));
      const next = cart('cart_1', { version: 2, updatedAtMs: t0Ms + 1, lines: [], email: 'new@example.com' });
      assert.equal(await store.carts.saveCart(next), true);
      assert.deepEqual(await store.carts.getCart('cart_1'), next);
      // A second writer that also read version 1 loses and changes nothing.
      assert.equal(await store.carts.saveCart(cart('cart_1', { version: 2, currency: 'USD' })), false);
      assert.equal(await store.carts.saveCart(cart('cart_1', { version: 4 })), false);
      assert.deepEqual(await store.carts.getCart('cart_1'), next);
      assert.equal(await store.carts.saveCart(cart('cart_missing', { version: 2 })), false);
    }));

    it('lets exactly one of two concurrent saves over the same version win', use(async (store) => {
      await store.carts.createCart(cart('cart_1'));
      const results = await Promise.all([
        store.carts.saveCart(cart('cart_1', { version: 2, currency: 'USD' })),
        store.carts.saveCart(cart('cart_1', { version: 2, currency: 'GBP' })),
      ]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      assert.equal((await store.carts.getCart('cart_1'))?.currency, results[0] ? 'USD' : 'GBP');
    }));
  });

  describe('a cart saved with its holds', () => {
    const minuteMs = 60_000;

    it('saves the cart and sets its hold in one call', use(async (store) => {
      await receive(store, 'drop', 3);
      await store.carts.createCart(cart('cart_1'));
      const next = cart('cart_1', { version: 2, updatedAtMs: t0Ms + 1 });
      assert.deepEqual(await store.carts.saveCartWithHolds(next, [hold('drop', 2, t0Ms + minuteMs)], t0Ms + 1), { ok: true });
      assert.deepEqual(await store.carts.getCart('cart_1'), next);
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms + 1), [{ cartId: 'cart_1', sku: 'drop', quantity: 2, expiresAtMs: t0Ms + minuteMs }]);
      assert.equal((await levelOf(store, 'drop', t0Ms + 1)).available, 1);
    }));

    it('saves nothing when a hold does not fit, and names the shortage', use(async (store) => {
      await receive(store, 'drop', 1);
      await store.carts.createCart(cart('cart_1'));
      const result = await store.carts.saveCartWithHolds(cart('cart_1', { version: 2 }), [hold('drop', 2, t0Ms + minuteMs)], t0Ms + 1);
      assert.deepEqual(result, { ok: false, reason: 'sold-out', shortages: [{ sku: 'drop', requested: 2, available: 1 }] });
      assert.equal((await store.carts.getCart('cart_1'))?.version, 1);
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms + 1), []);
    }));

    it('reports a cart that moved on as stale and leaves it as it was', use(async (store) => {
      await receive(store, 'drop', 3);
      await store.carts.createCart(cart('cart_1'));
      const result = await store.carts.saveCartWithHolds(cart('cart_1', { version: 3, currency: 'USD' }), [hold('drop', 1, t0Ms + minuteMs)], t0Ms + 1);
      assert.deepEqual(result, { ok: false, reason: 'stale' });
      assert.deepEqual(await store.carts.getCart('cart_1'), cart('cart_1'));
    }));

    it('keeps the answer with the save', use(async (store) => {
      await receive(store, 'drop', 3);
      await store.carts.createCart(cart('cart_1'));
      assert.deepEqual(await store.idempotency.begin('POST /store/carts/cart_1/lines', 'key_1', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      const answer = { scope: 'POST /store/carts/cart_1/lines', key: 'key_1', response: { ...response, body: '{"lines":1}' } };
      assert.deepEqual(await store.carts.saveCartWithHolds(cart('cart_1', { version: 2 }), [hold('drop', 1, t0Ms + minuteMs)], t0Ms + 1, answer), { ok: true });
      assert.deepEqual(await store.idempotency.begin('POST /store/carts/cart_1/lines', 'key_1', 'hash_a', t0Ms + 2, leaseMs), { kind: 'replay', ...answer.response });
    }));
  });

  describe('answers kept by the write that finishes a request', () => {
    const answerOf = (key: string, body: string) => ({ scope: 'POST /store/carts', key, response: { ...response, body } });

    it('creates a cart with its answer: a duplicate replays it, with nothing else to write', use(async (store) => {
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      await store.carts.createCart(cart('cart_1'), answerOf('key_1', '{"id":"cart_1"}'));
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_a', t0Ms + 2, leaseMs), { kind: 'replay', ...response, body: '{"id":"cart_1"}' });
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_b', t0Ms + 3, leaseMs), { kind: 'mismatch' });
    }));

    it('keeps the answer only when the save lands; a stale save leaves the key running', use(async (store) => {
      await store.carts.createCart(cart('cart_1'));
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      assert.equal(await store.carts.saveCart(cart('cart_1', { version: 3 }), answerOf('key_1', '{"stale":true}')), false);
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_a', t0Ms + 2, leaseMs), { kind: 'in-progress' });
      assert.equal(await store.carts.saveCart(cart('cart_1', { version: 2 }), answerOf('key_1', '{"version":2}')), true);
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_a', t0Ms + 3, leaseMs), { kind: 'replay', ...response, body: '{"version":2}' });
    }));

    it('writes no answer when the create fails', use(async (store) => {
      await store.carts.createCart(cart('cart_1'));
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      await rejectsWithCode(store.carts.createCart(cart('cart_1'), answerOf('key_1', '{"id":"cart_1"}')), 'conflict');
      assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key_1', 'hash_a', t0Ms + 2, leaseMs), { kind: 'in-progress' });
    }));
  });

  describe('idempotency keys', () => {
    it('starts, reports in-progress, then replays the stored response', use(async (store) => {
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms + 1, leaseMs), { kind: 'in-progress' });
      await store.idempotency.complete('checkout', 'key_1', response, t0Ms + 2);
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms + 3, leaseMs), { kind: 'replay', ...response });
      // A replay long after the lease still replays: done is done.
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms + 10 * leaseMs, leaseMs), { kind: 'replay', ...response });
    }));

    it('refuses the same key with a different request, in progress or done', use(async (store) => {
      await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms, leaseMs);
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_b', t0Ms + 1, leaseMs), { kind: 'mismatch' });
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_b', t0Ms + 2 * leaseMs, leaseMs), { kind: 'mismatch' });
      await store.idempotency.complete('checkout', 'key_1', response, t0Ms + 2);
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_b', t0Ms + 3, leaseMs), { kind: 'mismatch' });
    }));

    it('keeps scopes apart', use(async (store) => {
      await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms, leaseMs);
      assert.deepEqual(await store.idempotency.begin('add-line', 'key_1', 'hash_b', t0Ms, leaseMs), { kind: 'started' });
    }));

    it('hands the key to a retry once the first lease ran out', use(async (store) => {
      await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms, leaseMs);
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms + leaseMs - 1, leaseMs), { kind: 'in-progress' });
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms + leaseMs, leaseMs), { kind: 'started' });
      // The takeover holds a fresh lease.
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms + leaseMs + 1, leaseMs), { kind: 'in-progress' });
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms + 2 * leaseMs, leaseMs), { kind: 'started' });
    }));

    it('gives exactly one of many concurrent first requests the key', use(async (store) => {
      const results = await Promise.all(Array.from({ length: 10 }, () => store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms, leaseMs)));
      assert.equal(results.filter((result) => result.kind === 'started').length, 1);
      assert.equal(results.filter((result) => result.kind === 'in-progress').length, 9);
    }));

    it('forgets an abandoned key', use(async (store) => {
      await store.idempotency.begin('checkout', 'key_1', 'hash_a', t0Ms, leaseMs);
      await store.idempotency.abandon('checkout', 'key_1');
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_1', 'hash_b', t0Ms + 1, leaseMs), { kind: 'started' });
      await store.idempotency.abandon('checkout', 'key_never_used');
    }));

    it('purges keys created before a time, at most `limit` per call', use(async (store) => {
      for (const index of [0, 1, 2, 3]) await store.idempotency.begin('checkout', `key_${index}`, 'hash_a', t0Ms + index * 1_000, leaseMs);
      await store.idempotency.complete('checkout', 'key_0', response, t0Ms + 1);
      assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 2_500, 2), 2);
      assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 2_500, 2), 1);
      assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 2_500, 2), 0);
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_0', 'hash_b', t0Ms + 5_000, leaseMs), { kind: 'started' });
      assert.deepEqual(await store.idempotency.begin('checkout', 'key_3', 'hash_b', t0Ms + 5_000, leaseMs), { kind: 'mismatch' });
    }));
  });
}
