// The catalog as the storefront build reads it: one JSON snapshot of every published product
// and category, taken from the store directly or from a running Store API. The build renders
// pages from this file only, so the two sources give the same site.

import type { CatalogService } from '../core/catalog-service.ts';
import type { PricingConfig } from '../core/pricing.ts';
import { productJson } from '../http/views.ts';

export type SnapshotProduct = ReturnType<typeof productJson>;

export interface SnapshotCategory {
  slug: string;
  name: string;
  description: string;
  position: number;
}

export interface CatalogSnapshot {
  currency: string;
  /** Shipping options per country ('*' for the rest), so checkout can show their prices. */
  shipping: PricingConfig['shipping'];
  categories: SnapshotCategory[];
  products: SnapshotProduct[];
}

/** Products per page read while exporting; the Store API's page limit. */
const exportPageSize = 100;
/** A catalog larger than this is not a storefront this build is made for. */
const exportProductsMax = 100_000;

export async function snapshotFromStore(catalog: CatalogService, currency: string, shipping: PricingConfig['shipping']): Promise<CatalogSnapshot> {
  const categories = await catalog.categories();
  const products: SnapshotProduct[] = [];
  let cursor: string | undefined;
  do {
    const page = await catalog.listPublished({ limit: exportPageSize, ...(cursor === undefined ? {} : { cursor }) });
    products.push(...page.items.map(productJson));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && products.length < exportProductsMax);
  return { currency, shipping, categories, products };
}

export async function snapshotFromApi(apiUrl: string, currency: string, shipping: PricingConfig['shipping']): Promise<CatalogSnapshot> {
  const read = async <T>(path: string): Promise<T> => {
    const response = await fetch(new URL(path, apiUrl), { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  const { items: categories } = await read<{ items: SnapshotCategory[] }>('/store/categories');
  const products: SnapshotProduct[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/store/products?limit=${exportPageSize}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page: { items: SnapshotProduct[]; nextCursor: string | null } = await read(query);
    products.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && products.length < exportProductsMax);
  return { currency, shipping, categories, products };
}
