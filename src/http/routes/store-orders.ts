// Store API, orders: a shopper reads an order with the token checkout gave them.

import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv, AppOptions } from '../env.ts';
import { jsonContent, problems } from '../openapi.ts';
import { IdParam, Order } from '../schemas.ts';
import { orderJson } from '../views.ts';
import { DomainError } from '../../core/errors.ts';

export function storeOrderRoutes(app: OpenAPIHono<AppEnv>, { shop }: AppOptions): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/store/orders/{id}',
      tags: ['store'],
      summary: 'Read an order with its token (Authorization: Bearer <token>)',
      request: { params: IdParam, headers: z.object({ authorization: z.string().max(300).optional() }) },
      responses: { 200: jsonContent(Order, 'The order'), 404: problems[404] },
    }),
    async (c) => {
      const match = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '');
      if (match?.[1] === undefined) throw new DomainError('not-found', 'No order with this id for this token.', { resource: 'order' });
      return c.json(orderJson(await shop.orders.getWithToken(c.req.valid('param').id, match[1])), 200);
    },
  );
}
