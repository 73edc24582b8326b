// Stock is a ledger: on-hand changes by movements with a reason, sales count up `sold`, and
// holds are pending entries with an expiry. available = onHand - sold - held.

export type MovementType = 'receive' | 'adjust' | 'sale' | 'return' | 'ship' | 'sync';

export interface StockLevel {
  sku: string;
  onHand: number;
  sold: number;
  /** Units in holds that have not expired at the time of reading. */
  held: number;
  available: number;
}

export interface StockMovement {
  sku: string;
  type: MovementType;
  /** Signed change of on-hand for receive/adjust/sync/ship, units sold or returned otherwise. */
  quantity: number;
  reason: string;
  reference: string | null;
  atMs: number;
}

export interface HoldRequest {
  sku: string;
  /** The cart's hold on this SKU becomes exactly this many units (0 releases it). */
  quantity: number;
  expiresAtMs: number;
  allowBackorder: boolean;
}

export interface Hold {
  cartId: string;
  sku: string;
  quantity: number;
  expiresAtMs: number;
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

export type HoldResult = { ok: true; holds: Hold[] } | { ok: false; shortages: Shortage[] };

/** How a movement changes the two counters of the ledger. */
export function movementEffect(type: MovementType, quantity: number): { onHandDelta: number; soldDelta: number } {
  switch (type) {
    case 'receive':
    case 'adjust':
    case 'sync':
      return { onHandDelta: quantity, soldDelta: 0 };
    case 'sale':
      return { onHandDelta: 0, soldDelta: quantity };
    case 'return':
      return { onHandDelta: 0, soldDelta: -quantity };
    case 'ship':
      // Shipped units leave the warehouse: on-hand and sold-but-unshipped both drop.
      return { onHandDelta: -quantity, soldDelta: -quantity };
  }
}

export function availableOf(onHand: number, sold: number, held: number): number {
  return onHand - sold - held;
}

/** The no-oversell invariant, checked wherever stock is written and in tests. */
export function violatesInvariant(level: { onHand: number; sold: number; held: number }): boolean {
  return level.sold < 0 || level.held < 0 || level.sold + level.held > level.onHand;
}

export function stockStatus(available: number, allowBackorder: boolean, lowStockThreshold: number): 'in_stock' | 'low_stock' | 'sold_out' | 'backorder' {
  if (available <= 0) return allowBackorder ? 'backorder' : 'sold_out';
  if (available <= lowStockThreshold) return 'low_stock';
  return 'in_stock';
}
