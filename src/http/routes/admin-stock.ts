// Admin API, stock: read a SKU's ledger, record movements, and take a WMS sync.

import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, AppOptions } from '../env.ts';
import { idempotencyKeyParameter, jsonBodyOf, jsonContent, problems } from '../openapi.ts';
import { MovementBody, PutStockBody, SkuParam, StockDetail, StockLevel } from '../schemas.ts';
import { stockJson } from '../views.ts';

const stockProblems = { 401: problems[401], 404: problems[404], 409: problems[409], 422: problems[422] };

export function adminStockRoutes(app: OpenAPIHono<AppEnv>, { shop }: AppOptions): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/stock/{sku}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Stock level and recent movements of a SKU',
      request: { params: SkuParam },
      responses: { 200: jsonContent(StockDetail, 'The ledger'), 401: problems[401], 404: problems[404], 422: problems[422] },
    }),
    async (c) => {
      const { level, movements } = await shop.stock.get(c.req.valid('param').sku);
      return c.json(stockJson(level, movements), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/stock/{sku}/movements',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Receive units or adjust on-hand (never below what is sold or held)',
      parameters: [idempotencyKeyParameter],
      request: { params: SkuParam, ...jsonBodyOf(MovementBody) },
      responses: { 201: jsonContent(StockLevel, 'The new level'), ...stockProblems },
    }),
    async (c) => c.json(await shop.stock.move(c.req.valid('param').sku, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/stock/{sku}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Set on-hand from a WMS count; refused if it would break a hold or a sale',
      parameters: [idempotencyKeyParameter],
      request: { params: SkuParam, ...jsonBodyOf(PutStockBody) },
      responses: { 200: jsonContent(StockLevel, 'The new level'), ...stockProblems },
    }),
    async (c) => {
      const { onHand, reason } = c.req.valid('json');
      return c.json(await shop.stock.setOnHand(c.req.valid('param').sku, onHand, reason ?? 'wms sync'), 200);
    },
  );
}
