// The catalog: categories, products and their variants. A variant is the unit that is sold and
// stocked; its SKU links the catalog to stock, carts and orders.

import type { CurrencyCode } from './money.ts';

export type HoldAt = 'cart' | 'checkout' | 'order';

export interface Category {
  slug: string;
  name: string;
  description: string;
  position: number;
}

export interface ProductImage {
  url: string;
  alt: string;
}

export interface Variant {
  sku: string;
  title: string;
  options: Record<string, string>;
  /** Price per currency in minor units; a currency missing here cannot buy the variant. */
  prices: Record<CurrencyCode, number>;
  /** A limited (drop) SKU: small stock, held early, often with a per-customer limit. */
  limited: boolean;
  holdAt: HoldAt;
  holdTtlMs: number;
  /** Units one email may buy over all its orders; null means no limit beyond the line limit. */
  purchaseLimitPerCustomer: number | null;
  allowBackorder: boolean;
}

export interface Product {
  id: string;
  slug: string;
  title: string;
  description: string;
  images: ProductImage[];
  categorySlug: string;
  attributes: Record<string, string>;
  published: boolean;
  variants: Variant[];
  createdAtMs: number;
  updatedAtMs: number;
}

/** A variant together with the product it belongs to, as carts and checkout need it. */
export interface SkuInfo {
  product: Product;
  variant: Variant;
}

export interface ProductQuery {
  categorySlug?: string;
  /** Case-insensitive words that must all occur in the title or description. */
  text?: string;
  includeUnpublished: boolean;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const productPageSizeMax = 100;

export function isSellable(info: SkuInfo | undefined): info is SkuInfo {
  return info !== undefined && info.product.published;
}

export function findVariant(product: Product, sku: string): Variant | undefined {
  return product.variants.find((variant) => variant.sku === sku);
}
