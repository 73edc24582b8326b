// What a shopper sees of a cart: its lines priced from the current catalog, and the totals.

import type { Cart } from './cart.ts';
import type { SkuInfo } from './catalog.ts';
import { cartTotals, type PricingConfig, type Totals } from './pricing.ts';

export interface CartLineView {
  id: string;
  sku: string;
  productId: string | null;
  productSlug: string | null;
  title: string;
  variantTitle: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
  heldUntilMs: number | null;
  /** False when the product was unpublished, deleted or has no price in the cart's currency. */
  purchasable: boolean;
}

export interface CartView {
  id: string;
  currency: string;
  email: string | null;
  status: Cart['status'];
  orderId: string | null;
  lines: CartLineView[];
  totals: Totals;
  expiresAtMs: number;
  updatedAtMs: number;
}

export function viewCart(cart: Cart, skus: Map<string, SkuInfo>, pricing: PricingConfig): CartView {
  const lines = cart.lines.map((line): CartLineView => {
    const info = skus.get(line.sku);
    const price = info?.variant.prices[cart.currency];
    const purchasable = info !== undefined && info.product.published && price !== undefined;
    const unitPriceMinor = purchasable && price !== undefined ? price : 0;
    return {
      id: line.id,
      sku: line.sku,
      productId: info?.product.id ?? null,
      productSlug: info?.product.slug ?? null,
      title: info?.product.title ?? line.sku,
      variantTitle: info?.variant.title ?? '',
      quantity: line.quantity,
      unitPriceMinor,
      lineTotalMinor: unitPriceMinor * line.quantity,
      heldUntilMs: line.heldUntilMs,
      purchasable,
    };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  return {
    id: cart.id,
    currency: cart.currency,
    email: cart.email,
    status: cart.status,
    orderId: cart.orderId,
    lines,
    totals: cartTotals(pricing, cart.currency, subtotal),
    expiresAtMs: cart.expiresAtMs,
    updatedAtMs: cart.updatedAtMs,
  };
}
