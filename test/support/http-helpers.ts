// Small helpers for the HTTP tests: problem+json assertions, placing an order in one call, and
// waiting for something that happens in the background (sweeper, webhook relay).

import assert from 'node:assert/strict';
import { checkoutBody, type Client, type Reply } from './client.ts';

export const problemTypeBase = 'https://peakcart.dev/problems/';

/** Asserts an RFC 9457 problem answer with the given status and, when given, the given cause. */
export function assertProblem(reply: Reply, status: number, code?: string): void {
  const shown = `${reply.status} ${JSON.stringify(reply.body)?.slice(0, 400)}`;
  assert.equal(reply.status, status, `expected ${status}${code ? ` ${code}` : ''}, got ${shown}`);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/, `not problem+json: ${shown}`);
  assert.equal(typeof reply.body, 'object', `problem body is not an object: ${shown}`);
  assert.ok(reply.body !== null);
  assert.equal(typeof reply.body.type, 'string');
  assert.ok(reply.body.type.startsWith(problemTypeBase), `type outside ${problemTypeBase}: ${reply.body.type}`);
  if (code !== undefined) assert.equal(reply.body.type, problemTypeBase + code, `wrong cause: ${shown}`);
  assert.equal(typeof reply.body.title, 'string');
  assert.ok(reply.body.title.length > 0);
  assert.equal(reply.body.status, reply.status);
  assert.equal(typeof reply.body.detail, 'string');
  assert.ok(reply.body.detail.length > 0);
  assert.ok((reply.headers.get('x-request-id') ?? '').length > 0, 'no x-request-id');
}

/** The problem cause (the last part of `type`), or undefined when the reply is no problem. */
export function problemCode(reply: Reply): string | undefined {
  const type: unknown = reply.body?.type;
  return typeof type === 'string' && type.startsWith(problemTypeBase) ? type.slice(problemTypeBase.length) : undefined;
}

/** Creates a cart, adds `quantity` units of `sku` and checks out; returns every reply. */
export async function buy(
  api: Client,
  sku: string,
  options: { email: string; quantity?: number; token?: string; idempotencyKey?: string },
): Promise<{ cartId: string; add: Reply; checkout: Reply | undefined }> {
  const cart = await api.post('/store/carts', { email: options.email });
  assert.equal(cart.status, 201, JSON.stringify(cart.body));
  const cartId: string = cart.body.id;
  const add = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: options.quantity ?? 1 });
  if (add.status !== 201) return { cartId, add, checkout: undefined };
  const checkout = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(options.email, options.token ?? 'tok_visa'), {
    idempotencyKey: options.idempotencyKey ?? `buy-${cartId}`,
  });
  return { cartId, add, checkout };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The stock level of a SKU as the Admin API shows it, without the movement list. */
export async function stockLevel(api: Client, sku: string): Promise<{ onHand: number; sold: number; held: number; available: number }> {
  const reply = await api.get(`/admin/stock/${sku}`, { admin: true });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const { onHand, sold, held, available } = reply.body;
  return { onHand, sold, held, available };
}

/** Every order in the Admin API, walking all pages. */
export async function allOrders(api: Client): Promise<any[]> {
  const orders: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const reply: Reply = await api.get(`/admin/orders?limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, { admin: true });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    orders.push(...reply.body.items);
    cursor = reply.body.nextCursor;
    if (cursor === null) return orders;
  }
  throw new Error('more than 100 pages of orders');
}
