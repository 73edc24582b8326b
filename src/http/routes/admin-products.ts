// Admin API, products: the merchant's catalog editing.

import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ProductInput } from '../../core/catalog-service.ts';
import type { AppEnv, AppOptions } from '../env.ts';
import { idempotencyKeyParameter, jsonBodyOf, jsonContent, problems } from '../openapi.ts';
import { Category, CreateProductBody, IdParam, PutCategoryBody, SlugParam, ListProductsQuery, productQueryOf, PatchProductBody, Product, ProductPage } from '../schemas.ts';
import { pageJson, productJson } from '../views.ts';

const adminProblems = { 401: problems[401], 404: problems[404], 409: problems[409], 422: problems[422] };

export function adminProductRoutes(app: OpenAPIHono<AppEnv>, { shop }: AppOptions): void {
  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/categories/{slug}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Create or replace a category',
      parameters: [idempotencyKeyParameter],
      request: { params: SlugParam, ...jsonBodyOf(PutCategoryBody) },
      responses: { 200: jsonContent(Category, 'The category'), 401: problems[401], 422: problems[422] },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await shop.catalog.upsertCategory({ slug: c.req.valid('param').slug, ...body }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/products',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'List all products, published or not',
      request: { query: ListProductsQuery },
      responses: { 200: jsonContent(ProductPage, 'A page of products'), 401: problems[401], 422: problems[422] },
    }),
    async (c) => {
      const page = await shop.catalog.listAll(productQueryOf(c.req.valid('query')));
      return c.json(pageJson(page, productJson), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/products',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Create a product with its variants',
      parameters: [idempotencyKeyParameter],
      request: { ...jsonBodyOf(CreateProductBody) },
      responses: { 201: jsonContent(Product, 'The product'), ...adminProblems },
    }),
    async (c) => c.json(productJson(await shop.catalog.create(c.req.valid('json') as ProductInput)), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/products/{id}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Read a product',
      request: { params: IdParam },
      responses: { 200: jsonContent(Product, 'The product'), 401: problems[401], 404: problems[404] },
    }),
    async (c) => c.json(productJson(await shop.catalog.get(c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/admin/products/{id}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Change a product',
      parameters: [idempotencyKeyParameter],
      request: { params: IdParam, ...jsonBodyOf(PatchProductBody) },
      responses: { 200: jsonContent(Product, 'The product'), ...adminProblems },
    }),
    async (c) => {
      const change = c.req.valid('json') as Partial<ProductInput>;
      return c.json(productJson(await shop.catalog.update(c.req.valid('param').id, change)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/products/{id}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Delete a product (orders keep their snapshot; stock keeps its ledger)',
      parameters: [idempotencyKeyParameter],
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) }), 'Deleted'), 401: problems[401], 404: problems[404] },
    }),
    async (c) => {
      await shop.catalog.remove(c.req.valid('param').id);
      return c.json({ deleted: true as const }, 200);
    },
  );
}
