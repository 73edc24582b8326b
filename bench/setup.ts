// What a scenario needs in the shop before the load starts, made through the public APIs: a
// limited SKU with a short hold TTL for a sale, and the catalog the browse flow walks.

import type { AdminTarget } from './audit.ts';
import type { CatalogItem } from './generator/protocol.ts';

async function call(target: AdminTarget, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(target.url + path, {
    method,
    headers: { authorization: `Bearer ${target.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`setup: ${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

const benchCategory = 'bench-drops';

/** A `limited` SKU held at add-to-cart, the kind a product drop sells, with `units` in stock. */
export async function createSaleSku(target: AdminTarget, options: { label: string; units: number; holdTtlMs: number }): Promise<string> {
  await call(target, 'PUT', `/admin/categories/${benchCategory}`, { name: 'Bench drops', description: 'Made by the load generator', position: 999 });
  const suffix = `${options.label}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const sku = `BENCH-${suffix}`.toUpperCase();
  await call(target, 'POST', '/admin/products', {
    slug: `bench-${suffix}`,
    title: `Bench drop ${options.label}`,
    categorySlug: benchCategory,
    variants: [{ sku, title: 'One size', prices: { USD: 4900, EUR: 4900 }, limited: true, holdAt: 'cart', holdTtlMs: options.holdTtlMs, purchaseLimitPerCustomer: null, allowBackorder: false }],
  });
  await call(target, 'POST', `/admin/stock/${encodeURIComponent(sku)}/movements`, { type: 'receive', quantity: options.units, reason: 'bench stock' });
  return sku;
}

/** Published products and categories as a shopper sees them (up to `itemsMax` products). */
export async function readCatalog(url: string, itemsMax: number): Promise<{ items: CatalogItem[]; categories: string[] }> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(url + path, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`catalog: GET ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  const categories = (await get<{ items: { slug: string }[] }>('/store/categories')).items.map((category) => category.slug);
  const items: CatalogItem[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=100' : `?limit=100&cursor=${encodeURIComponent(cursor)}`;
    const page = await get<{ items: { slug: string; variants: { sku: string }[] }[]; nextCursor: string | null }>(`/store/products${query}`);
    for (const product of page.items) {
      const sku = product.variants[0]?.sku;
      if (sku !== undefined) items.push({ slug: product.slug, sku });
    }
    cursor = page.nextCursor;
  } while (cursor !== null && items.length < itemsMax);
  if (items.length === 0) throw new Error('catalog: the shop has no products to browse (start it with --seed-if-empty or seed it)');
  return { items: items.slice(0, itemsMax), categories };
}
