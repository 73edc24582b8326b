// Domain objects as the API shows them: times as ISO strings, internal fields left out.

import type { CartView } from '../core/cart-view.ts';
import type { Page, Product } from '../core/catalog.ts';
import type { StoredEvent } from '../core/events.ts';
import type { Order } from '../core/order.ts';
import type { Webhook } from '../core/ports.ts';
import type { StockLevel, StockMovement } from '../core/stock.ts';
import { isoTime as iso } from './iso-time.ts';

export function cartJson(cart: CartView) {
  const { lines, expiresAtMs, updatedAtMs, ...rest } = cart;
  return {
    ...rest,
    lines: lines.map(({ heldUntilMs, ...line }) => ({ ...line, heldUntil: heldUntilMs === null ? null : iso(heldUntilMs) })),
    expiresAt: iso(expiresAtMs),
    updatedAt: iso(updatedAtMs),
  };
}

/** A page of anything, its items shown by `show`. */
export function pageJson<T, J>(page: Page<T>, show: (item: T) => J) {
  return { items: page.items.map(show), nextCursor: page.nextCursor };
}

export function productJson(product: Product) {
  return {
    id: product.id,
    slug: product.slug,
    title: product.title,
    description: product.description,
    images: product.images,
    category: product.categorySlug,
    attributes: product.attributes,
    published: product.published,
    variants: product.variants,
    createdAt: iso(product.createdAtMs),
    updatedAt: iso(product.updatedAtMs),
  };
}

export function orderJson(order: Order) {
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    email: order.email,
    currency: order.currency,
    lines: order.lines,
    totals: order.totals,
    shippingAddress: { ...order.shippingAddress },
    shippingOption: order.shippingOption,
    payment: { provider: order.payment.provider, captured: order.payment.captured, refunded: order.payment.refunded },
    createdAt: iso(order.createdAtMs),
    updatedAt: iso(order.updatedAtMs),
  };
}

export function stockJson(level: StockLevel, movements: StockMovement[]) {
  return {
    ...level,
    movements: movements.map((movement) => ({
      type: movement.type,
      quantity: movement.quantity,
      reason: movement.reason,
      reference: movement.reference,
      at: iso(movement.atMs),
    })),
  };
}

export function webhookJson(webhook: Webhook, showSecret: boolean) {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.eventTypes,
    createdAt: iso(webhook.createdAtMs),
    deliveredThrough: webhook.deliveredThrough,
    lastError: webhook.lastError,
    ...(showSecret ? { secret: webhook.secret } : {}),
  };
}

export function eventJson(event: StoredEvent) {
  return { id: event.id, sequence: event.sequence, type: event.type, occurredAt: iso(event.occurredAtMs), data: { order: event.data.order } };
}
