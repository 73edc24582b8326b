// The stock property: random groups of concurrent holds, releases, orders, movements, sweeps
// and clock ticks on a few SKUs and carts. After every group, through the ports only: no SKU
// without backorder is oversold, held equals the carts' listed holds, and on-hand and sold
// equal what the accepted movements and orders say.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Store } from '../../../src/core/ports.ts';
import { commit, receive, t0Ms } from '../fixtures.ts';

const skuCount = 3;
/** SKU 2 allows backorder; 0 and 1 must never be oversold. */
const backorderSku = 2;
const cartCount = 3;
const initialOnHand = [3, 3, 0];

type Op =
  | { kind: 'hold'; cart: number; sku: number; quantity: number; ttlMs: number }
  | { kind: 'release'; cart: number; sku: number | undefined }
  | { kind: 'commit'; cart: number; lines: Array<{ sku: number; quantity: number }> }
  | { kind: 'move'; sku: number; quantity: number }
  | { kind: 'sweep'; limit: number }
  | { kind: 'tick'; ms: number };

const skuIndex = fc.integer({ min: 0, max: skuCount - 1 });
const cartIndex = fc.integer({ min: 0, max: cartCount - 1 });

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('hold' as const), cart: cartIndex, sku: skuIndex, quantity: fc.integer({ min: 0, max: 4 }), ttlMs: fc.integer({ min: 1, max: 4 }).map((s) => s * 1_000) }),
  fc.record({ kind: fc.constant('release' as const), cart: cartIndex, sku: fc.option(skuIndex, { nil: undefined }) }),
  fc.record({
    kind: fc.constant('commit' as const),
    cart: cartIndex,
    lines: fc.uniqueArray(fc.record({ sku: skuIndex, quantity: fc.integer({ min: 1, max: 3 }) }), { selector: (line) => line.sku, minLength: 1, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('move' as const), sku: skuIndex, quantity: fc.integer({ min: -3, max: 5 }) }),
  fc.record({ kind: fc.constant('sweep' as const), limit: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3_000 }) }),
);

/** Groups of 1–3 operations; the operations of a group run concurrently. */
const scenarioArbitrary = fc.array(fc.array(opArbitrary, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 });

let runCounter = 0;

export function interleavingProperty(store: Store): fc.IAsyncProperty<[Op[][]]> {
  return fc.asyncProperty(scenarioArbitrary, async (groups) => {
    // Each run has its own SKUs and carts, so runs share one store without seeing each other.
    const prefix = `run${(runCounter += 1)}_`;
    const skus = Array.from({ length: skuCount }, (_, index) => `${prefix}sku${index}`);
    const generations = Array.from({ length: cartCount }, () => 0);
    const cartsSeen = new Set<string>();
    const cartId = (index: number) => {
      const id = `${prefix}cart${index}_${generations[index]}`;
      cartsSeen.add(id);
      return id;
    };
    const expectedOnHand = [...initialOnHand];
    const expectedSold = skus.map(() => 0);
    let orderCounter = 0;
    let nowMs = t0Ms;

    for (const [index, sku] of skus.entries()) if (initialOnHand[index]! > 0) await receive(store, sku, initialOnHand[index]!, nowMs);

    async function run(op: Op, atMs: number): Promise<void> {
      switch (op.kind) {
        case 'hold': {
          const allowBackorder = op.sku === backorderSku;
          await store.stock.setHolds(cartId(op.cart), [{ sku: skus[op.sku]!, quantity: op.quantity, expiresAtMs: atMs + op.ttlMs, allowBackorder }], atMs);
          return;
        }
        case 'release':
          await store.stock.releaseHolds(cartId(op.cart), op.sku === undefined ? undefined : [skus[op.sku]!], atMs);
          return;
        case 'commit': {
          const cart = op.cart;
          const lines = op.lines.map((line) => ({ sku: skus[line.sku]!, quantity: line.quantity, allowBackorder: line.sku === backorderSku }));
          const result = await commit(store, `${prefix}ord${(orderCounter += 1)}`, cartId(cart), lines, { nowMs: atMs });
          if (result.ok) {
            generations[cart]! += 1;
            for (const line of op.lines) expectedSold[line.sku]! += line.quantity;
          }
          return;
        }
        case 'move': {
          const request = { sku: skus[op.sku]!, type: 'adjust' as const, quantity: op.quantity, reason: 'property', reference: null, allowBelowCommitted: op.sku === backorderSku };
          const result = await store.stock.applyMovement(request, atMs);
          if (result.ok) expectedOnHand[op.sku]! += op.quantity;
          return;
        }
        case 'sweep':
          await store.stock.releaseExpiredHolds(atMs, op.limit);
          return;
        case 'tick':
          return;
      }
    }

    for (const group of groups) {
      const atMs = nowMs;
      await Promise.all(group.map((op) => run(op, atMs)));
      for (const op of group) if (op.kind === 'tick') nowMs += op.ms;

      const levels = await store.stock.getLevels(skus, nowMs);
      const heldByCarts = skus.map(() => 0);
      for (const cart of cartsSeen) {
        for (const held of await store.stock.listHolds(cart, nowMs)) heldByCarts[skus.indexOf(held.sku)]! += held.quantity;
      }
      for (const [index, sku] of skus.entries()) {
        const level = levels.get(sku);
        assert.ok(level !== undefined, `a level for ${sku}`);
        assert.equal(level.available, level.onHand - level.sold - level.held, `available of ${sku}`);
        assert.equal(level.held, heldByCarts[index], `held of ${sku} equals its listed holds`);
        assert.equal(level.onHand, expectedOnHand[index], `on-hand of ${sku}`);
        assert.equal(level.sold, expectedSold[index], `sold of ${sku}`);
        assert.ok(level.onHand >= 0, `on-hand of ${sku} is not negative`);
        if (index !== backorderSku) {
          assert.ok(level.sold + level.held <= level.onHand, `no oversell of ${sku}: ${JSON.stringify(level)}`);
          assert.ok(level.available >= 0, `available of ${sku} is not negative`);
        }
      }
    }
  });
}
