// Loads the demo catalog into a store: categories, products and each SKU's opening stock.

import type { Store } from '../core/ports.ts';
import { demoCatalog } from '../seed/demo-catalog.ts';

export async function seedDemo(store: Store, nowMs: number): Promise<{ products: number; skus: number }> {
  const demo = demoCatalog(nowMs);
  for (const category of demo.categories) await store.catalog.upsertCategory(category);
  await Promise.all(demo.products.map((product) => store.catalog.createProduct(product)));
  await Promise.all(
    demo.stock
      .filter((row) => row.onHand > 0)
      .map((row) =>
      store.stock.applyMovement(
        { sku: row.sku, type: 'receive', quantity: row.onHand, reason: 'demo opening stock', reference: null, allowBelowCommitted: false },
        nowMs,
      ),
    ),
  );
  return { products: demo.products.length, skus: demo.stock.length };
}
