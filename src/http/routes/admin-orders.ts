// Admin API, orders: list, read, fulfil and cancel.

import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { OrderStatus } from '../../core/order.ts';
import type { AppEnv, AppOptions } from '../env.ts';
import { idempotencyKeyParameter, jsonBodyOf, jsonContent, problems } from '../openapi.ts';
import { CancelOrderBody, IdParam, ListOrdersQuery, Order, OrderPage } from '../schemas.ts';
import { orderJson, pageJson } from '../views.ts';

const orderProblems = { 401: problems[401], 404: problems[404], 409: problems[409], 422: problems[422] };

export function adminOrderRoutes(app: OpenAPIHono<AppEnv>, { shop }: AppOptions): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/orders',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'List orders, newest first',
      request: { query: ListOrdersQuery },
      responses: { 200: jsonContent(OrderPage, 'A page of orders'), 401: problems[401], 422: problems[422] },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await shop.orders.list({ status: query.status as OrderStatus | undefined, cursor: query.cursor, limit: query.limit });
      return c.json(pageJson(page, orderJson), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/orders/{id}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Read an order',
      request: { params: IdParam },
      responses: { 200: jsonContent(Order, 'The order'), 401: problems[401], 404: problems[404] },
    }),
    async (c) => c.json(orderJson(await shop.orders.get(c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/orders/{id}/cancel',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Cancel: units go back to sale, money back to the shopper',
      parameters: [idempotencyKeyParameter],
      request: { params: IdParam, ...jsonBodyOf(CancelOrderBody, false) },
      responses: { 200: jsonContent(Order, 'The order'), ...orderProblems },
    }),
    async (c) => c.json(orderJson(await shop.orders.cancel(c.req.valid('param').id, c.req.valid('json').reason ?? 'cancelled by merchant')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/orders/{id}/fulfil',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Mark a paid order shipped: its units leave on-hand',
      parameters: [idempotencyKeyParameter],
      request: { params: IdParam },
      responses: { 200: jsonContent(Order, 'The order'), ...orderProblems },
    }),
    async (c) => c.json(orderJson(await shop.orders.fulfil(c.req.valid('param').id)), 200),
  );
}
