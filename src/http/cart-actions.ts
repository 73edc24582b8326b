// The three writes of a shopper's order flow (create a cart, add a line, check out) as the Store
// API runs them, after validation and before the answer is sent. The Hono routes and Node's order
// fast path both call these, so what each route does, counts and answers is written once.

import type { z } from '@hono/zod-openapi';
import type { CartView } from '../core/cart-view.ts';
import type { PlacedOrder } from '../core/checkout.ts';
import type { CommitClaim, KeepAnswer } from '../core/ports.ts';
import type { Shop } from '../core/shop.ts';
import type { HttpMetrics } from './ports.ts';
import type { AddLineBody, CheckoutBody, CreateCartBody } from './schemas.ts';
import { cartJson, orderJson } from './views.ts';

/** What a route hands its action: the validated parts of the request. */
export interface ActionInput<B> {
  cartId: string;
  body: B;
  /** The request's Idempotency-Key header, when it sent one. */
  idempotencyKey: string | undefined;
  requestId: string;
  /** The checkout's key, to claim in the order's write (checkout.ts says how); none for the other actions. */
  commitClaim?: { claim: CommitClaim; onClaimed(): void };
}

export interface ActionDeps {
  shop: Shop;
  metrics: HttpMetrics;
}

export const createCart = {
  status: 201,
  render: cartJson,
  run: ({ shop }: ActionDeps, input: ActionInput<z.output<typeof CreateCartBody>>, keep: KeepAnswer<CartView> | undefined): Promise<CartView> => shop.carts.create(input.body, keep),
} as const;

export const addLine = {
  status: 201,
  render: cartJson,
  async run({ shop, metrics }: ActionDeps, input: ActionInput<z.output<typeof AddLineBody>>, keep: KeepAnswer<CartView> | undefined): Promise<CartView> {
    const { sku, quantity } = input.body;
    const cart = await shop.carts.addLine(input.cartId, sku, quantity, keep);
    if (cart.lines.some((line) => line.sku === sku && line.heldUntilMs !== null)) metrics.countHold(sku);
    return cart;
  },
} as const;

export const checkout = {
  status: 201,
  render: (placed: PlacedOrder) => ({ ...orderJson(placed.order), token: placed.token }),
  async run({ shop, metrics }: ActionDeps, input: ActionInput<z.output<typeof CheckoutBody>>, keep: KeepAnswer<PlacedOrder> | undefined): Promise<PlacedOrder> {
    const { body } = input;
    const placed = await shop.checkout({
      cartId: input.cartId,
      email: body.email,
      shippingAddress: {
        name: body.shippingAddress.name,
        line1: body.shippingAddress.line1,
        line2: body.shippingAddress.line2 ?? null,
        city: body.shippingAddress.city,
        postalCode: body.shippingAddress.postalCode,
        region: body.shippingAddress.region ?? null,
        country: body.shippingAddress.country,
        phone: body.shippingAddress.phone ?? null,
      },
      shippingOption: body.shippingOption,
      paymentToken: body.payment.token,
      idempotencyKey: input.idempotencyKey ?? `none:${input.requestId}`,
      ...(keep === undefined ? {} : { keep }),
      ...(input.commitClaim === undefined ? {} : { claim: input.commitClaim.claim, onClaimed: input.commitClaim.onClaimed }),
    });
    metrics.countOrder(placed.order.currency, placed.order.totals.totalMinor);
    return placed;
  },
} as const;
