// The demo shop: an outdoor and lifestyle store of about 200 products in 8 categories, with a few
// drops and made-to-order items. Generated from a fixed seed, so every run, on every runtime,
// produces the same catalog; only the timestamps come from the caller.

import type { Category, HoldAt, Product, Variant } from '../core/catalog.ts';
import { featuredSpecs, type FeaturedSpec } from './demo-featured.ts';
import { backpacks, camping, climbing, kitchen } from './demo-gear.ts';
import { materialSentences, seriesNames, type CategorySpec, type ProductType } from './demo-vocabulary.ts';
import { accessories, apparel, footwear, jackets } from './demo-wear.ts';
import { createRng, hash64Hex, type Rng } from './prng.ts';

export interface DemoStockRow {
  sku: string;
  onHand: number;
}

export interface DemoCatalog {
  categories: Category[];
  products: Product[];
  stock: DemoStockRow[];
}

export const demoCurrencies = ['USD', 'EUR'] as const;
export const demoSeed = 0x0b5e_ed01;
export const demoProductsPerCategory = 25;
export const demoUnpublishedCount = 2;

/** Ordinary SKUs are held only when the order is placed. */
export const regularHoldTtlMs = 15 * 60 * 1000;
/** Drop SKUs are held from add-to-cart, briefly, so abandoned carts return stock fast. */
export const dropHoldTtlMs = 10 * 60 * 1000;
export const dropPurchaseLimitPerCustomer = 1;

const regularOnHandMin = 20;
const regularOnHandMax = 500;
const dropOnHandMin = 5;
const dropOnHandMax = 50;
const madeToOrderOnHand = 0;
const skuLengthMax = 64;
const eurPerUsd = 0.93;
const titleAttemptsMax = 1_000;

const categorySpecs: readonly CategorySpec[] = [jackets, footwear, backpacks, camping, climbing, accessories, kitchen, apparel];

type StockKind = 'regular' | FeaturedSpec['kind'];

interface StockRule {
  limited: boolean;
  holdAt: HoldAt;
  holdTtlMs: number;
  purchaseLimitPerCustomer: number | null;
  allowBackorder: boolean;
}

const stockRules: Record<StockKind, StockRule> = {
  regular: { limited: false, holdAt: 'order', holdTtlMs: regularHoldTtlMs, purchaseLimitPerCustomer: null, allowBackorder: false },
  drop: { limited: true, holdAt: 'cart', holdTtlMs: dropHoldTtlMs, purchaseLimitPerCustomer: dropPurchaseLimitPerCustomer, allowBackorder: false },
  'made-to-order': { limited: false, holdAt: 'checkout', holdTtlMs: regularHoldTtlMs, purchaseLimitPerCustomer: null, allowBackorder: true },
};

export function demoCatalog(nowMs: number): DemoCatalog {
  const rng = createRng(demoSeed);
  const taken = { slugs: new Set<string>(), skus: new Set<string>(), ids: new Set<string>() };
  const products: Product[] = [];
  const stock: DemoStockRow[] = [];
  const regularProducts: Product[] = [];

  const add = (product: Product, kind: StockKind): void => {
    claim(taken.slugs, product.slug, 'slug');
    claim(taken.ids, product.id, 'id');
    for (const variant of product.variants) {
      claim(taken.skus, variant.sku, 'SKU');
      stock.push({ sku: variant.sku, onHand: onHandFor(kind, rng) });
    }
    products.push(product);
    if (kind === 'regular') regularProducts.push(product);
  };

  for (const spec of categorySpecs) {
    const featured = featuredSpecs.filter((item) => item.categorySlug === spec.category.slug);
    for (const item of featured) add(featuredProduct(item, nowMs), item.kind);
    const series = rng.shuffle(seriesNames);
    const types = rng.shuffle(spec.types);
    let made = featured.length;
    for (let attempt = 0; made < demoProductsPerCategory; attempt += 1) {
      if (attempt >= titleAttemptsMax) throw new Error(`demo catalog: ran out of names in ${spec.category.slug}`);
      const type = types[made % types.length] as ProductType;
      const seriesName = series[attempt % series.length] as string;
      const modifiers = type.modifiers.filter((word) => word !== seriesName);
      const modifier = modifiers.length > 0 && rng.chance(0.5) ? rng.pick(modifiers) : null;
      const title = [seriesName, modifier, type.noun].filter((word) => word !== null).join(' ');
      if (taken.slugs.has(slugify(title))) continue;
      add(generatedProduct(spec, type, seriesName, modifier, title, nowMs, rng), 'regular');
      made += 1;
    }
  }

  // A couple of drafts, so the unpublished path has something to show.
  for (const product of rng.shuffle(regularProducts).slice(0, demoUnpublishedCount)) product.published = false;

  const categories = categorySpecs.map((spec) => ({ ...spec.category })).sort((a, b) => a.position - b.position);
  return { categories, products, stock };
}

/** SKUs of the limited drop products: tiny stock, held at add-to-cart, one per customer. */
export function demoDropSkus(): string[] {
  return skusWhere((product) => product.attributes['drop'] === 'true');
}

/** SKUs that are made to order and may be sold beyond stock (backorder). */
export function demoBackorderSkus(): string[] {
  return skusWhere((product) => product.variants.some((variant) => variant.allowBackorder));
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** An uppercase SKU segment: 'Storm Blue' -> 'STORM-BLUE', '60 m' -> '60M', 'S/M' -> 'SM'. */
export function skuToken(text: string): string {
  return text
    .toUpperCase()
    .replace(/(\d)\s+([A-Z])/g, '$1$2')
    .replace(/[/.]/g, '')
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function productIdForSlug(slug: string): string {
  return `prod_${hash64Hex(slug)}`;
}

function skusWhere(test: (product: Product) => boolean): string[] {
  return demoCatalog(0)
    .products.filter(test)
    .flatMap((product) => product.variants.map((variant) => variant.sku));
}

function claim(seen: Set<string>, value: string, what: string): void {
  if (seen.has(value)) throw new Error(`demo catalog: duplicate ${what} ${value}`);
  seen.add(value);
}

function onHandFor(kind: StockKind, rng: Rng): number {
  if (kind === 'drop') return rng.int(dropOnHandMin, dropOnHandMax);
  if (kind === 'made-to-order') return madeToOrderOnHand;
  return rng.int(regularOnHandMin, regularOnHandMax);
}

function generatedProduct(
  spec: CategorySpec,
  type: ProductType,
  seriesName: string,
  modifier: string | null,
  title: string,
  nowMs: number,
  rng: Rng,
): Product {
  const slug = slugify(title);
  const skuBase = [spec.skuPrefix, seriesName, modifier, type.code].filter((part) => part !== null).map(skuToken).join('-');
  const values = pickOptionValues(type, rng);
  const baseUsd = rng.int(type.priceUsd[0], type.priceUsd[1]);
  const endsInZeros = baseUsd >= 150 && rng.chance(0.3);
  const material = rng.pick(type.materials);
  const weight = formatWeight(roundTo(rng.int(type.weightGrams[0], type.weightGrams[1]), 5));
  const attributes: Record<string, string> = { material, weight };
  for (const [name, choices] of Object.entries(type.attributes ?? {})) attributes[name] = rng.pick(choices);

  const variants = values.map((value, index) => {
    const usdWhole = snapPrice(baseUsd + (type.axis.stepUsd ?? 0) * index);
    const eurWhole = snapPrice(usdWhole * eurPerUsd);
    const prices = { USD: toMinor(usdWhole, endsInZeros), EUR: toMinor(eurWhole, endsInZeros) };
    return makeVariant(`${skuBase}-${skuToken(value)}`, type.axis.key, value, prices, 'regular');
  });
  const description = describe(spec, type, title, material, weight, rng);
  return makeProduct({ slug, title, description, categorySlug: spec.category.slug, attributes, variants, nowMs });
}

function featuredProduct(item: FeaturedSpec, nowMs: number): Product {
  const variants = item.optionValues.map((value) =>
    makeVariant(`${item.skuBase}-${skuToken(value)}`, item.optionKey, value, { USD: item.priceUsdMinor, EUR: item.priceEurMinor }, item.kind),
  );
  return makeProduct({
    slug: slugify(item.title),
    title: item.title,
    description: item.description,
    categorySlug: item.categorySlug,
    attributes: { ...item.attributes },
    variants,
    nowMs,
  });
}

function makeVariant(sku: string, optionKey: string, value: string, prices: Record<string, number>, kind: StockKind): Variant {
  if (sku.length > skuLengthMax) throw new Error(`demo catalog: SKU ${sku} is longer than ${skuLengthMax}`);
  return { sku, title: value, options: { [optionKey]: value }, prices, ...stockRules[kind] };
}

interface ProductFields {
  slug: string;
  title: string;
  description: string;
  categorySlug: string;
  attributes: Record<string, string>;
  variants: Variant[];
  nowMs: number;
}

function makeProduct(fields: ProductFields): Product {
  return {
    id: productIdForSlug(fields.slug),
    slug: fields.slug,
    title: fields.title,
    description: fields.description,
    images: [{ url: `/media/products/${fields.slug}.svg`, alt: fields.title }],
    categorySlug: fields.categorySlug,
    attributes: fields.attributes,
    published: true,
    variants: fields.variants,
    createdAtMs: fields.nowMs,
    updatedAtMs: fields.nowMs,
  };
}

/** Neighbouring sizes for size runs, any few colours for colourways. */
function pickOptionValues(type: ProductType, rng: Rng): string[] {
  const { values, countRange, mode } = type.axis;
  const count = Math.min(values.length, rng.int(countRange[0], countRange[1]));
  if (mode === 'subset') return rng.shuffle(values).slice(0, count);
  const start = rng.int(0, values.length - count);
  return values.slice(start, start + count);
}

/** 2-4 sentences: an opener, a feature, then perhaps materials and a second feature or a closer. */
function describe(spec: CategorySpec, type: ProductType, title: string, material: string, weight: string, rng: Rng): string {
  const noun = type.noun.toLowerCase();
  const fill = (template: string): string =>
    template
      .replaceAll('{title}', title)
      .replaceAll('{aNoun}', `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`)
      .replaceAll('{noun}', noun)
      .replaceAll('{Material}', material.charAt(0).toUpperCase() + material.slice(1))
      .replaceAll('{material}', material)
      .replaceAll('{weight}', weight);
  const features = rng.shuffle(type.features);
  const sentences = [fill(rng.pick(spec.openers)), features[0] ?? ''];
  // '150 g/m² merino wool throughout' reads badly, so a material that opens with a digit
  // never starts a sentence.
  const materialTemplates = /^\d/.test(material) ? materialSentences.filter((text) => !text.startsWith('{')) : materialSentences;
  if (rng.chance(0.75)) sentences.push(fill(rng.pick(materialTemplates)));
  if (rng.chance(0.5)) sentences.push(features[1] ?? rng.pick(spec.closers));
  else if (rng.chance(0.6)) sentences.push(rng.pick(spec.closers));
  return sentences.filter((sentence) => sentence !== '').join(' ');
}

/** Whole-unit price points shoppers expect: 14, 35, 45, 130, 250. */
function snapPrice(whole: number): number {
  if (whole < 30) return Math.max(1, Math.round(whole));
  if (whole < 100) return roundTo(whole, 5);
  return roundTo(whole, 10);
}

/** 130 -> 12999 (a .99 price) or 13000 (a round price), in minor units. */
function toMinor(whole: number, endsInZeros: boolean): number {
  return endsInZeros ? whole * 100 : whole * 100 - 1;
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

function formatWeight(grams: number): string {
  if (grams < 1000) return `${grams} g`;
  return `${Math.round(grams / 10) / 100} kg`;
}
