// Contract: the stock ledger. Movements change on-hand with a reason and are listed newest
// first; a movement that would leave on-hand below sold + held is refused unless allowed.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MovementRequest } from '../../../src/core/ports.ts';
import { counters, hold, receive, rejectsWithCode, t0Ms, type UseStore } from '../fixtures.ts';

function movement(sku: string, type: MovementRequest['type'], quantity: number, allowBelowCommitted = false): MovementRequest {
  return { sku, type, quantity, reason: `${type} ${quantity}`, reference: null, allowBelowCommitted };
}

export function stockCases(use: UseStore): void {
  describe('stock levels and movements', () => {
    it('reports a SKU it never saw as zero on hand', use(async (store) => {
      const levels = await store.stock.getLevels(['ghost'], t0Ms);
      assert.deepEqual(levels.get('ghost'), { sku: 'ghost', onHand: 0, sold: 0, held: 0, available: 0 });
      assert.deepEqual(await store.stock.listMovements('ghost', 10), []);
    }));

    it('applies receipts and adjustments and records each in the ledger', use(async (store) => {
      const received = await store.stock.applyMovement({ ...movement('tee-m', 'receive', 10), reference: 'po_1' }, t0Ms);
      assert.deepEqual(received, { ok: true, level: { sku: 'tee-m', onHand: 10, sold: 0, held: 0, available: 10 } });
      const adjusted = await store.stock.applyMovement(movement('tee-m', 'adjust', -3), t0Ms + 1);
      assert.deepEqual(adjusted, { ok: true, level: { sku: 'tee-m', onHand: 7, sold: 0, held: 0, available: 7 } });
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 7, sold: 0, held: 0, available: 7 });
      assert.deepEqual(await store.stock.listMovements('tee-m', 10), [
        { sku: 'tee-m', type: 'adjust', quantity: -3, reason: 'adjust -3', reference: null, atMs: t0Ms + 1 },
        { sku: 'tee-m', type: 'receive', quantity: 10, reason: 'receive 10', reference: 'po_1', atMs: t0Ms },
      ]);
      assert.equal((await store.stock.listMovements('tee-m', 1)).length, 1);
      assert.deepEqual(await store.stock.listMovements('other', 10), []);
    }));

    it('refuses to take on-hand below sold + held unless allowed, and records nothing when it refuses', use(async (store) => {
      await receive(store, 'tee-m', 5);
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee-m', 3, t0Ms + 60_000)], t0Ms)).ok, true);
      const refused = await store.stock.applyMovement(movement('tee-m', 'adjust', -3), t0Ms);
      assert.deepEqual(refused, { ok: false, level: { sku: 'tee-m', onHand: 5, sold: 0, held: 3, available: 2 } });
      assert.equal((await store.stock.listMovements('tee-m', 10)).length, 1);
      assert.equal((await store.stock.applyMovement(movement('tee-m', 'adjust', -2), t0Ms)).ok, true);
      // Allowed (a count found fewer units): the holds stay, the SKU is oversold until restocked.
      const allowed = await store.stock.applyMovement(movement('tee-m', 'adjust', -1, true), t0Ms);
      assert.deepEqual(allowed, { ok: true, level: { sku: 'tee-m', onHand: 2, sold: 0, held: 3, available: -1 } });
      // A receipt is never refused, even while oversold.
      assert.equal((await store.stock.applyMovement(movement('tee-m', 'receive', 1), t0Ms)).ok, true);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 3, sold: 0, held: 3, available: 0 });
    }));

    it('never takes on-hand below zero, even when allowed below committed', use(async (store) => {
      await receive(store, 'tee-m', 2);
      const refused = await store.stock.applyMovement(movement('tee-m', 'adjust', -3, true), t0Ms);
      assert.equal(refused.ok, false);
      assert.deepEqual(await counters(store, 'tee-m'), { onHand: 2, sold: 0, held: 0, available: 2 });
    }));

    it('syncs on-hand to an absolute figure as a sync movement of the difference', use(async (store) => {
      await receive(store, 'tee-m', 10);
      assert.deepEqual(await store.stock.setOnHand('tee-m', 4, 'wms count', false, t0Ms + 5), { ok: true, level: { sku: 'tee-m', onHand: 4, sold: 0, held: 0, available: 4 } });
      const [latest] = await store.stock.listMovements('tee-m', 1);
      assert.deepEqual(latest, { sku: 'tee-m', type: 'sync', quantity: -6, reason: 'wms count', reference: null, atMs: t0Ms + 5 });
      assert.equal((await store.stock.setOnHand('tee-m', 9, 'wms count', false, t0Ms + 6)).ok, true);
      assert.equal((await store.stock.listMovements('tee-m', 1))[0]?.quantity, 5);
      // Below what is held: refused unless allowed; the holds are never broken.
      assert.equal((await store.stock.setHolds('cart_1', [hold('tee-m', 6, t0Ms + 60_000)], t0Ms)).ok, true);
      const refused = await store.stock.setOnHand('tee-m', 5, 'wms count', false, t0Ms + 7);
      assert.deepEqual(refused, { ok: false, level: { sku: 'tee-m', onHand: 9, sold: 0, held: 6, available: 3 } });
      const allowed = await store.stock.setOnHand('tee-m', 5, 'wms count', true, t0Ms + 8);
      assert.deepEqual(allowed, { ok: true, level: { sku: 'tee-m', onHand: 5, sold: 0, held: 6, available: -1 } });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms + 8), [{ cartId: 'cart_1', sku: 'tee-m', quantity: 6, expiresAtMs: t0Ms + 60_000 }]);
    }));

    it('creates the stock of an unknown SKU on its first movement', use(async (store) => {
      assert.deepEqual(await store.stock.setOnHand('new-sku', 3, 'first count', false, t0Ms), { ok: true, level: { sku: 'new-sku', onHand: 3, sold: 0, held: 0, available: 3 } });
      assert.equal((await store.stock.listMovements('new-sku', 10))[0]?.quantity, 3);
    }));

    it('refuses a NUL character in a movement reason rather than storing it cut short', use(async (store) => {
      await rejectsWithCode(store.stock.applyMovement({ ...movement('tee-m', 'receive', 1), reason: 'count\u0000ed' }, t0Ms), 'validation');
      await rejectsWithCode(store.stock.setOnHand('tee-m', 3, 'count\u0000ed', false, t0Ms), 'validation');
      assert.deepEqual(await store.stock.listMovements('tee-m', 10), []);
    }));

    it('reads many SKUs at once', use(async (store) => {
      await receive(store, 'a', 1);
      await receive(store, 'b', 2);
      const levels = await store.stock.getLevels(['a', 'b', 'c'], t0Ms);
      assert.deepEqual([...levels.keys()].sort(), ['a', 'b', 'c']);
      assert.equal(levels.get('b')?.onHand, 2);
      assert.equal(levels.get('c')?.onHand, 0);
    }));
  });
}
