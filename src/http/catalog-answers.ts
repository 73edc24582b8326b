// The catalog's public answers, built one way for both ways they are served: the Hono routes
// (documented, validated, every runtime) and Node's fast path for the hottest GETs, which skips
// the middleware stack but must answer byte for byte the same.

import type { Category, Product } from '../core/catalog.ts';
import type { Availability } from '../core/catalog-service.ts';
import type { Shop } from '../core/shop.ts';
import type { Compress, CachedJson, CachePolicy } from './middleware/cache.ts';
import { availabilityCache, catalogCache, jsonWithEtag, memoJson } from './middleware/cache.ts';
import { AvailabilityQuery, ListProductsQuery, productQueryOf, SlugParam } from './schemas.ts';
import { pageJson, productJson } from './views.ts';
import type { z } from '@hono/zod-openapi';

export type ListQuery = z.infer<typeof ListProductsQuery>;
export type AvailabilityRequest = z.infer<typeof AvailabilityQuery>;

export interface CatalogJson<T = unknown> {
  json: CachedJson<T>;
  policy: CachePolicy;
}

export async function productListJson(shop: Shop, query: ListQuery, compress: Compress | undefined): Promise<CatalogJson<ReturnType<typeof pageJson<Product, ReturnType<typeof productJson>>>>> {
  const page = await shop.catalog.listPublished(productQueryOf(query));
  return { json: memoJson(page, () => pageJson(page, productJson), compress), policy: catalogCache };
}

export async function productDetailJson(shop: Shop, slug: string, compress: Compress | undefined): Promise<CatalogJson<ReturnType<typeof productJson>>> {
  const product = await shop.catalog.publishedBySlug(slug);
  return { json: memoJson(product, () => productJson(product), compress), policy: catalogCache };
}

export async function categoriesJson(shop: Shop, compress: Compress | undefined): Promise<CatalogJson<{ items: Category[] }>> {
  const categories = await shop.catalog.categories();
  return { json: memoJson(categories, () => ({ items: categories }), compress), policy: catalogCache };
}

/** Stock moves by the second, so availability is serialised per request (it is small). */
export async function availabilityJson(shop: Shop, query: AvailabilityRequest): Promise<CatalogJson<{ items: Availability[]; unknown: string[] }>> {
  const skus = Array.isArray(query.sku) ? query.sku : [query.sku];
  return { json: jsonWithEtag(await shop.catalog.availability(skus)), policy: availabilityCache };
}

/** The route templates as Hono reports them, so metrics label both paths alike. */
export const catalogRoutes = {
  list: '/store/products',
  product: '/store/products/:slug',
  categories: '/store/categories',
  availability: '/store/availability',
} as const;

export type CatalogRoute = (typeof catalogRoutes)[keyof typeof catalogRoutes];

export const catalogSchemas = { list: ListProductsQuery, availability: AvailabilityQuery, slug: SlugParam };
