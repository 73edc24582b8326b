// Store API, catalog: what shoppers browse. Cacheable by browsers and CDNs, revalidated by ETag.

import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, AppOptions } from '../env.ts';
import { availabilityCache, cacheableJson, catalogCache, jsonWithEtag, memoJson } from '../middleware/cache.ts';
import { jsonContent, problems } from '../openapi.ts';
import { Availability, AvailabilityQuery, Category, ListProductsQuery, productQueryOf, Product, ProductPage, SlugParam } from '../schemas.ts';
import { pageJson, productJson } from '../views.ts';
import { z } from '@hono/zod-openapi';

export function storeCatalogRoutes(app: OpenAPIHono<AppEnv>, { shop }: AppOptions): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/store/products',
      tags: ['store'],
      summary: 'List published products',
      request: { query: ListProductsQuery },
      responses: { 200: jsonContent(ProductPage, 'A page of products'), 422: problems[422] },
    }),
    async (c) => {
      const page = await shop.catalog.listPublished(productQueryOf(c.req.valid('query')));
      return cacheableJson(c, memoJson(page, () => pageJson(page, productJson)), catalogCache);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/store/products/{slug}',
      tags: ['store'],
      summary: 'One published product by slug',
      request: { params: SlugParam },
      responses: { 200: jsonContent(Product, 'The product'), 404: problems[404] },
    }),
    async (c) => {
      const product = await shop.catalog.publishedBySlug(c.req.valid('param').slug);
      return cacheableJson(c, memoJson(product, () => productJson(product)), catalogCache);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/store/categories',
      tags: ['store'],
      summary: 'All categories',
      responses: { 200: jsonContent(z.object({ items: z.array(Category) }), 'The categories') },
    }),
    async (c) => {
      const categories = await shop.catalog.categories();
      return cacheableJson(c, memoJson(categories, () => ({ items: categories })), catalogCache);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/store/availability',
      tags: ['store'],
      summary: 'Units available now for up to 100 SKUs (?sku=A&sku=B)',
      request: { query: AvailabilityQuery },
      responses: { 200: jsonContent(Availability, 'Availability per SKU'), 422: problems[422] },
    }),
    async (c) => {
      const { sku } = c.req.valid('query');
      return cacheableJson(c, jsonWithEtag(await shop.catalog.availability(Array.isArray(sku) ? sku : [sku])), availabilityCache);
    },
  );
}
