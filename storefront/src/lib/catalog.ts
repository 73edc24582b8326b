// The catalog snapshot the pages render from (written by `peakcart storefront build`), read
// once per build, with the few derived views the pages share.
import { readFileSync } from 'node:fs';

export interface Variant {
  sku: string;
  title: string;
  options: Record<string, string>;
  prices: Record<string, number>;
  limited: boolean;
  holdAt: 'cart' | 'checkout' | 'order';
  holdTtlMs: number;
  purchaseLimitPerCustomer: number | null;
  allowBackorder: boolean;
}

export interface Product {
  id: string;
  slug: string;
  title: string;
  description: string;
  images: { url: string; alt: string }[];
  category: string;
  attributes: Record<string, string>;
  variants: Variant[];
  updatedAt: string;
}

export interface Category {
  slug: string;
  name: string;
  description: string;
  position: number;
}

export interface ShippingRate {
  option: string;
  label: string;
  prices: Record<string, number>;
}

interface Snapshot {
  currency: string;
  shipping: Record<string, ShippingRate[]>;
  categories: Category[];
  products: Product[];
}

let loaded: Snapshot | undefined;

export function catalog(): Snapshot {
  const path = process.env.PEAKCART_CATALOG;
  if (path === undefined || path === '') throw new Error('PEAKCART_CATALOG must name the catalog snapshot (peakcart storefront build writes it)');
  loaded ??= JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  loaded.categories.sort((a, b) => a.position - b.position || a.slug.localeCompare(b.slug));
  return loaded;
}

export const currency = () => catalog().currency;

export const productsIn = (slug: string) => catalog().products.filter((product) => product.category === slug);

export const isDrop = (product: Product) => product.variants.some((variant) => variant.limited);

export const drops = () => catalog().products.filter(isDrop);

/** One product per category besides the drops: the shop window of the home page. */
export function featured(): Product[] {
  const marked = catalog().products.filter((product) => product.attributes['featured'] === 'true');
  if (marked.length > 0) return marked.slice(0, 8);
  return catalog()
    .categories.map((category) => productsIn(category.slug).find((product) => !isDrop(product)))
    .filter((product): product is Product => product !== undefined);
}

export const productPath = (product: Pick<Product, 'slug'>) => `/products/${product.slug}/`;
export const categoryPath = (slug: string) => `/categories/${slug}/`;

export function lowestPrice(product: Product): number | undefined {
  const prices = product.variants.map((variant) => variant.prices[currency()]).filter((price): price is number => price !== undefined);
  return prices.length === 0 ? undefined : Math.min(...prices);
}

export function formatMoney(amountMinor: number, code = currency()): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).format(amountMinor / 100);
}

export function categoryName(slug: string): string {
  return catalog().categories.find((category) => category.slug === slug)?.name ?? slug;
}

/** Image of a product: a path on this site, or else the generated picture, so no page ever
 *  loads an image from another host. */
export function imageOf(product: Product): { url: string; alt: string } {
  const first = product.images[0];
  if (first !== undefined && first.url.startsWith('/') && !first.url.startsWith('//')) return first;
  return { url: generatedImagePath(product.slug), alt: first?.alt || product.title };
}

export const generatedImagePath = (slug: string) => `/media/products/${slug}.svg`;

