// Store API, catalog: what shoppers browse. Cacheable by browsers and CDNs, revalidated by ETag.
// On Node the hottest of these GETs are usually answered by the fast path (src/runtime/
// catalog-fast-path.ts) with the same answers; these routes document them and answer the rest.

import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { availabilityJson, categoriesJson, productDetailJson, productListJson } from '../catalog-answers.ts';
import type { AppEnv, AppOptions } from '../env.ts';
import { cacheableJson } from '../middleware/cache.ts';
import { jsonContent, problems } from '../openapi.ts';
import { Availability, AvailabilityQuery, Category, ListProductsQuery, Product, ProductPage, SlugParam } from '../schemas.ts';

export function storeCatalogRoutes(app: OpenAPIHono<AppEnv>, { shop, compress }: AppOptions): void {
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
      const { json, policy } = await productListJson(shop, c.req.valid('query'), compress);
      return cacheableJson(c, json, policy);
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
      const { json, policy } = await productDetailJson(shop, c.req.valid('param').slug, compress);
      return cacheableJson(c, json, policy);
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
      const { json, policy } = await categoriesJson(shop, compress);
      return cacheableJson(c, json, policy);
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
      const { json, policy } = await availabilityJson(shop, c.req.valid('query'));
      return cacheableJson(c, json, policy);
    },
  );
}
