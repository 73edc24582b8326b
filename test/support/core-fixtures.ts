// A product for tests that drive the core on a real store: one variant at 10.00 USD in a "gear"
// category, with stock received through the shop, as a merchant would set it up.

import type { Variant } from '../../src/core/catalog.ts';
import type { Store } from '../../src/core/ports.ts';
import type { Shop } from '../../src/core/shop.ts';

export async function stockedProduct(
  store: Store,
  shop: Shop,
  product: { name: string; sku: string; nowMs: number; onHand: number; variant: Pick<Variant, 'limited' | 'holdAt'> },
): Promise<void> {
  const { name, sku, nowMs } = product;
  await store.catalog.upsertCategory({ slug: 'gear', name: 'Gear', description: '', position: 1 });
  await store.catalog.createProduct({
    id: `prod_${name}`,
    slug: name,
    title: name,
    description: '',
    images: [],
    categorySlug: 'gear',
    attributes: {},
    published: true,
    variants: [{ sku, title: '', options: {}, prices: { USD: 1000 }, ...product.variant, holdTtlMs: 60_000, purchaseLimitPerCustomer: null, allowBackorder: false }],
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  });
  await shop.stock.move(sku, { type: 'receive', quantity: product.onHand, reason: 'opening' });
}
