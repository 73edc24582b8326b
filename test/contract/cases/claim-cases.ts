// Contract: a store whose writes claim Idempotency-Keys (`claimsInWrites`). A write handed an
// answer with a claim checks the key in its own transaction: a free key is claimed, the change
// made and the answer kept together; a key that is taken (an answer kept, another request
// running with it, another body) leaves everything as it was, and the write fails with
// ClaimRefused. A write that changes nothing anyway leaves the key free.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClaimRefused } from '../../../src/core/errors.ts';
import type { CommitClaim, KeptAnswer, Store } from '../../../src/core/ports.ts';
import { cart, committedOrder, draft, hold, levelOf, receive, sales, t0Ms, type UseStore } from '../fixtures.ts';

const leaseMs = 30_000;
const minuteMs = 60_000;
const scope = 'POST /store/carts';

function claiming(key: string, body: string, requestHash = 'hash_a', nowMs = t0Ms): KeptAnswer {
  return { scope, key, response: { status: 201, body, contentType: 'application/json' }, claim: { requestHash, nowMs, leaseMs } };
}

const checkoutScope = 'POST /store/carts/cart_1/checkout';

function commitClaiming(store: Store, orderId: string, quantity: number, claim: Partial<CommitClaim> = {}) {
  const lines = [{ sku: 'drop', quantity }];
  return store.orders.commitOrder({
    draft: draft(orderId, 'cart_1', lines),
    sales: sales(lines),
    events: [{ id: `evt_${orderId}`, type: 'order.placed', occurredAtMs: t0Ms }],
    nowMs: t0Ms,
    claim: { scope: checkoutScope, key: 'order', requestHash: 'hash_a', nowMs: t0Ms, leaseMs, ...claim },
  });
}

async function refused(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isClaimRefused(error));
}

export function claimCases(use: UseStore, claimsInWrites: boolean): void {
  describe('Idempotency-Keys claimed by writes', () => {
    it(`says that its writes ${claimsInWrites ? 'claim' : 'do not claim'} keys`, use(async (store) => {
      assert.equal(store.idempotency.claimsInWrites === true, claimsInWrites);
    }));
    if (!claimsInWrites) return;

    it('claims a free key with the write: a retry replays the kept answer', use(async (store) => {
      await store.carts.createCart(cart('cart_1'), claiming('key_1', '{"id":"cart_1"}'));
      assert.equal((await store.carts.getCart('cart_1'))?.id, 'cart_1');
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + 1, leaseMs), { kind: 'replay', status: 201, body: '{"id":"cart_1"}', contentType: 'application/json' });
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_b', t0Ms + 2, leaseMs), { kind: 'mismatch' });
    }));

    it('refuses a key with a kept answer, for the same body or another, and changes nothing', use(async (store) => {
      await store.carts.createCart(cart('cart_1'), claiming('key_1', '{"id":"cart_1"}'));
      await refused(store.carts.createCart(cart('cart_2'), claiming('key_1', '{"id":"cart_2"}', 'hash_a', t0Ms + 1)));
      await refused(store.carts.createCart(cart('cart_3'), claiming('key_1', '{"id":"cart_3"}', 'hash_b', t0Ms + 2)));
      assert.equal(await store.carts.getCart('cart_2'), undefined);
      assert.equal(await store.carts.getCart('cart_3'), undefined);
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + 3, leaseMs), { kind: 'replay', status: 201, body: '{"id":"cart_1"}', contentType: 'application/json' });
    }));

    it('refuses a key another request is running with, and leaves that request its claim', use(async (store) => {
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      await refused(store.carts.createCart(cart('cart_2'), claiming('key_1', '{"id":"cart_2"}', 'hash_a', t0Ms + 1)));
      assert.equal(await store.carts.getCart('cart_2'), undefined);
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + 2, leaseMs), { kind: 'in-progress' });
      // The running request finishes with its own answer.
      await store.carts.createCart(cart('cart_1'), { scope, key: 'key_1', response: { status: 201, body: '{"id":"cart_1"}', contentType: 'application/json' } });
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + 3, leaseMs), { kind: 'replay', status: 201, body: '{"id":"cart_1"}', contentType: 'application/json' });
    }));

    it('takes over a key whose running request let its lease run out', use(async (store) => {
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      await store.carts.createCart(cart('cart_2'), claiming('key_1', '{"id":"cart_2"}', 'hash_a', t0Ms + leaseMs + 1));
      assert.equal((await store.carts.getCart('cart_2'))?.id, 'cart_2');
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + leaseMs + 2, leaseMs), { kind: 'replay', status: 201, body: '{"id":"cart_2"}', contentType: 'application/json' });
    }));

    it('leaves the key free when the write changes nothing: a stale save, a hold that does not fit, a failed create', use(async (store) => {
      await receive(store, 'drop', 1);
      await store.carts.createCart(cart('cart_1'));
      const stale = await store.carts.saveCartWithHolds(cart('cart_1', { version: 3 }), [hold('drop', 1, t0Ms + minuteMs)], t0Ms + 1, claiming('stale', '{}'));
      assert.deepEqual(stale, { ok: false, reason: 'stale' });
      const tooMany = await store.carts.saveCartWithHolds(cart('cart_1', { version: 2 }), [hold('drop', 2, t0Ms + minuteMs)], t0Ms + 1, claiming('too-many', '{}'));
      assert.deepEqual(tooMany, { ok: false, reason: 'sold-out', shortages: [{ sku: 'drop', requested: 2, available: 1 }] });
      assert.equal(await store.carts.saveCart(cart('cart_1', { version: 3 }), claiming('stale-save', '{}')), false);
      await assert.rejects(store.carts.createCart(cart('cart_1'), claiming('existing', '{}')));
      for (const key of ['stale', 'too-many', 'stale-save', 'existing']) {
        assert.deepEqual(await store.idempotency.begin(scope, key, 'hash_a', t0Ms + 2, leaseMs), { kind: 'started' }, key);
      }
      assert.equal((await store.carts.getCart('cart_1'))?.version, 1);
      assert.equal((await levelOf(store, 'drop', t0Ms + 2)).available, 1);
    }));

    it('saves a cart with its hold and claims the key in one write; a duplicate moves neither', use(async (store) => {
      await receive(store, 'drop', 3);
      await store.carts.createCart(cart('cart_1'));
      const next = cart('cart_1', { version: 2, updatedAtMs: t0Ms + 1 });
      assert.deepEqual(await store.carts.saveCartWithHolds(next, [hold('drop', 1, t0Ms + minuteMs)], t0Ms + 1, claiming('line', '{"lines":1}')), { ok: true });
      // The duplicate read the saved cart and would add another unit.
      await refused(store.carts.saveCartWithHolds(cart('cart_1', { version: 3 }), [hold('drop', 2, t0Ms + minuteMs)], t0Ms + 2, claiming('line', '{"lines":2}', 'hash_a', t0Ms + 2)));
      assert.deepEqual(await store.carts.getCart('cart_1'), next);
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms + 2), [{ cartId: 'cart_1', sku: 'drop', quantity: 1, expiresAtMs: t0Ms + minuteMs }]);
      assert.deepEqual(await store.idempotency.begin(scope, 'line', 'hash_a', t0Ms + 3, leaseMs), { kind: 'replay', status: 201, body: '{"lines":1}', contentType: 'application/json' });
    }));

    it('claims the key with an order it writes, and keeps it for the request until the answer is kept', use(async (store) => {
      await receive(store, 'drop', 2);
      const order = committedOrder(await commitClaiming(store, 'ord_1', 1));
      assert.deepEqual(await store.idempotency.begin(checkoutScope, 'order', 'hash_a', t0Ms + 1, leaseMs), { kind: 'in-progress' });
      assert.deepEqual(await store.idempotency.begin(checkoutScope, 'order', 'hash_b', t0Ms + 1, leaseMs), { kind: 'mismatch' });
      const paid = { ...order, status: 'paid' as const, updatedAtMs: t0Ms + 2 };
      const answer = { scope: checkoutScope, key: 'order', response: { status: 201, body: '{"id":"ord_1"}', contentType: 'application/json' } };
      assert.equal(await store.orders.transitionOrder({ orderId: 'ord_1', from: 'placed', next: paid, events: [], movements: [], nowMs: t0Ms + 2, answer }), true);
      assert.deepEqual(await store.idempotency.begin(checkoutScope, 'order', 'hash_a', t0Ms + 3, leaseMs), { kind: 'replay', status: 201, body: '{"id":"ord_1"}', contentType: 'application/json' });
    }));

    it('writes no order under a key that is taken, and leaves the key free when the order does not fit', use(async (store) => {
      await receive(store, 'drop', 1);
      assert.deepEqual(await store.idempotency.begin(checkoutScope, 'order', 'hash_a', t0Ms, leaseMs), { kind: 'started' });
      await refused(commitClaiming(store, 'ord_1', 1));
      assert.equal(await store.orders.getOrderByCart('cart_1'), undefined);
      assert.equal((await levelOf(store, 'drop', t0Ms)).sold, 0);
      const tooMany = await commitClaiming(store, 'ord_2', 2, { key: 'too-many' });
      assert.equal(tooMany.ok, false);
      assert.deepEqual(await store.idempotency.begin(checkoutScope, 'too-many', 'hash_a', t0Ms + 1, leaseMs), { kind: 'started' });
    }));

    it('lets exactly one of many concurrent writes claim the same key', use(async (store) => {
      const ids = ['cart_1', 'cart_2', 'cart_3', 'cart_4', 'cart_5'];
      const results = await Promise.allSettled(ids.map((id) => store.carts.createCart(cart(id), claiming('key_1', `{"id":"${id}"}`))));
      const won = results.flatMap((result, index) => (result.status === 'fulfilled' ? [ids[index]] : []));
      assert.equal(won.length, 1);
      for (const result of results) if (result.status === 'rejected') assert.ok(isClaimRefused(result.reason), String(result.reason));
      const carts = await Promise.all(ids.map((id) => store.carts.getCart(id)));
      assert.deepEqual(carts.flatMap((found) => (found === undefined ? [] : [found.id])), won);
      assert.deepEqual(await store.idempotency.begin(scope, 'key_1', 'hash_a', t0Ms + 1, leaseMs), { kind: 'replay', status: 201, body: `{"id":"${won[0]}"}`, contentType: 'application/json' });
    }));
  });
}
