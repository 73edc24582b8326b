// Merchant stock use cases: read a SKU's ledger, record receipts and adjustments, and take a
// WMS sync of on-hand. None of them may break a hold or a sale: those are promises made.

import type { CoreDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import type { MovementResult } from './ports.ts';
import type { StockLevel, StockMovement } from './stock.ts';

export const movementListMax = 50;

export interface StockService {
  get(sku: string): Promise<{ level: StockLevel; movements: StockMovement[] }>;
  move(sku: string, input: { type: 'receive' | 'adjust'; quantity: number; reason: string }): Promise<StockLevel>;
  setOnHand(sku: string, onHand: number, reason: string): Promise<StockLevel>;
}

export function createStockService(deps: CoreDeps): StockService {
  const { store, clock } = deps;

  async function variantOf(sku: string) {
    const info = (await store.catalog.findSkus([sku])).get(sku);
    if (info === undefined) throw new DomainError('not-found', `No variant with SKU ${sku}.`, { resource: 'sku', sku });
    return info.variant;
  }

  function settled(sku: string, result: MovementResult): StockLevel {
    if (result.ok) return result.level;
    const { level } = result;
    throw new DomainError('stock-below-committed', `On-hand of ${sku} cannot go below the ${level.sold + level.held} units sold or held.`, {
      sku,
      onHand: level.onHand,
      sold: level.sold,
      held: level.held,
    });
  }

  return {
    async get(sku) {
      await variantOf(sku);
      const nowMs = clock.nowMs();
      const level = (await store.stock.getLevels([sku], nowMs)).get(sku) ?? { sku, onHand: 0, sold: 0, held: 0, available: 0 };
      return { level, movements: await store.stock.listMovements(sku, movementListMax) };
    },

    async move(sku, input) {
      const variant = await variantOf(sku);
      if (input.type === 'receive' && input.quantity <= 0) {
        throw new DomainError('validation', 'A receipt adds a positive number of units.', { field: 'quantity' });
      }
      if (input.quantity === 0) throw new DomainError('validation', 'An adjustment changes at least one unit.', { field: 'quantity' });
      const result = await store.stock.applyMovement(
        { sku, type: input.type, quantity: input.quantity, reason: input.reason, reference: null, allowBelowCommitted: variant.allowBackorder },
        clock.nowMs(),
      );
      return settled(sku, result);
    },

    async setOnHand(sku, onHand, reason) {
      const variant = await variantOf(sku);
      return settled(sku, await store.stock.setOnHand(sku, onHand, reason, variant.allowBackorder, clock.nowMs()));
    },
  };
}
