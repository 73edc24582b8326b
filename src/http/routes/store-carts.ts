// Store API, carts and checkout. A cart's unguessable id is the capability to use it.

import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv, AppOptions } from '../env.ts';
import { idempotencyKeyParameter, jsonBodyOf, jsonContent, problems } from '../openapi.ts';
import { AddLineBody, Cart, CheckoutBody, CreateCartBody, IdParam, LineParams, PatchLineBody, PlacedOrder } from '../schemas.ts';
import { addLine, checkout, createCart, type ActionInput } from '../cart-actions.ts';
import { keptAnswer } from '../middleware/idempotency.ts';
import { cartJson } from '../views.ts';

const cartProblems = { 404: problems[404], 409: problems[409], 410: problems[410], 422: problems[422] };

/** The action's input from a validated request. */
function inputOf<B>(c: Context<AppEnv>, cartId: string, body: B): ActionInput<B> {
  return { cartId, body, idempotencyKey: c.req.header('idempotency-key'), requestId: c.get('requestId') };
}

export function storeCartRoutes(app: OpenAPIHono<AppEnv>, { shop, metrics }: AppOptions): void {
  const deps = { shop, metrics };
  app.openapi(
    createRoute({
      method: 'post',
      path: '/store/carts',
      tags: ['store'],
      summary: 'Create a cart',
      parameters: [idempotencyKeyParameter],
      request: { ...jsonBodyOf(CreateCartBody, false) },
      responses: { 201: jsonContent(Cart, 'The new cart'), 422: problems[422] },
    }),
    async (c) => {
      const answer = keptAnswer(c, createCart.status, createCart.render);
      return answer.respond(await createCart.run(deps, inputOf(c, '', c.req.valid('json')), answer.keep));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/store/carts/{id}',
      tags: ['store'],
      summary: 'Read a cart',
      request: { params: IdParam },
      responses: { 200: jsonContent(Cart, 'The cart'), 404: problems[404], 410: problems[410] },
    }),
    async (c) => c.json(cartJson(await shop.carts.get(c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/store/carts/{id}/lines',
      tags: ['store'],
      summary: 'Add units of a SKU (merged into its line); limited SKUs are held',
      parameters: [idempotencyKeyParameter],
      request: { params: IdParam, ...jsonBodyOf(AddLineBody) },
      responses: { 201: jsonContent(Cart, 'The cart with the line'), ...cartProblems },
    }),
    async (c) => {
      const answer = keptAnswer(c, addLine.status, addLine.render);
      return answer.respond(await addLine.run(deps, inputOf(c, c.req.valid('param').id, c.req.valid('json')), answer.keep));
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/store/carts/{id}/lines/{lineId}',
      tags: ['store'],
      summary: 'Change the quantity of a line (0 removes it)',
      parameters: [idempotencyKeyParameter],
      request: { params: LineParams, ...jsonBodyOf(PatchLineBody) },
      responses: { 200: jsonContent(Cart, 'The cart'), ...cartProblems },
    }),
    async (c) => {
      const { id, lineId } = c.req.valid('param');
      const answer = keptAnswer(c, 200, cartJson);
      return answer.respond(await shop.carts.setLineQuantity(id, lineId, c.req.valid('json').quantity, answer.keep));
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/store/carts/{id}/lines/{lineId}',
      tags: ['store'],
      summary: 'Remove a line and release its hold',
      parameters: [idempotencyKeyParameter],
      request: { params: LineParams },
      responses: { 200: jsonContent(Cart, 'The cart'), ...cartProblems },
    }),
    async (c) => {
      const { id, lineId } = c.req.valid('param');
      const answer = keptAnswer(c, 200, cartJson);
      return answer.respond(await shop.carts.removeLine(id, lineId, answer.keep));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/store/carts/{id}/checkout',
      tags: ['store'],
      summary: 'Place the order: hold, authorise, write, capture. Send an Idempotency-Key.',
      parameters: [idempotencyKeyParameter],
      request: { params: IdParam, ...jsonBodyOf(CheckoutBody) },
      responses: { 201: jsonContent(PlacedOrder, 'The order, with the token to read it'), 402: problems[402], ...cartProblems, 503: problems[503] },
    }),
    async (c) => {
      const answer = keptAnswer(c, checkout.status, checkout.render);
      return answer.respond(await checkout.run(deps, inputOf(c, c.req.valid('param').id, c.req.valid('json')), answer.keep));
    },
  );
}
