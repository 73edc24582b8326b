// The demo catalog is what a new shop, the storefront and the benchmarks start from: it must be
// well-formed, deterministic, and carry the stock rules (drops, backorders) the cart policy needs.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import type { Product, Variant } from '../../src/core/catalog.ts';
import {
  demoBackorderSkus,
  demoCatalog,
  demoCurrencies,
  demoDropSkus,
  dropHoldTtlMs,
  productIdForSlug,
  regularHoldTtlMs,
  skuToken,
  slugify,
} from '../../src/seed/demo-catalog.ts';

const nowMs = 1_750_000_000_000;
const catalog = demoCatalog(nowMs);
const variants = catalog.products.flatMap((product) => product.variants);
const onHandBySku = new Map(catalog.stock.map((row) => [row.sku, row.onHand]));
const isDrop = (product: Product): boolean => product.attributes['drop'] === 'true';
const drops = catalog.products.filter(isDrop);
const backorderVariants = variants.filter((variant) => variant.allowBackorder);

function onHand(variant: Variant): number {
  const value = onHandBySku.get(variant.sku);
  assert.ok(value !== undefined, `no stock row for ${variant.sku}`);
  return value;
}

describe('demo catalog: shape', () => {
  it('has about 200 products in exactly 8 categories', () => {
    assert.ok(catalog.products.length >= 190 && catalog.products.length <= 210, `${catalog.products.length} products`);
    assert.equal(catalog.categories.length, 8);
  });

  it('has categories with unique slugs and positions, a name and a one-sentence description', () => {
    assert.equal(new Set(catalog.categories.map((category) => category.slug)).size, 8);
    assert.equal(new Set(catalog.categories.map((category) => category.position)).size, 8);
    for (const category of catalog.categories) {
      assert.match(category.slug, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      assert.ok(category.name.length > 0);
      assert.match(category.description, /^[A-Z][^.]*\.$/, `${category.slug}: one sentence`);
    }
  });

  it('puts every product in an existing category, and every category has products', () => {
    const slugs = new Set(catalog.categories.map((category) => category.slug));
    for (const product of catalog.products) assert.ok(slugs.has(product.categorySlug), product.slug);
    for (const slug of slugs) {
      const count = catalog.products.filter((product) => product.categorySlug === slug).length;
      assert.ok(count >= 10, `${slug} has only ${count} products`);
    }
  });

  it('has unique, well-formed slugs, titles and ids derived from the slug', () => {
    const slugs = catalog.products.map((product) => product.slug);
    assert.equal(new Set(slugs).size, slugs.length, 'duplicate slug');
    assert.equal(new Set(catalog.products.map((product) => product.title)).size, slugs.length, 'duplicate title');
    assert.equal(new Set(catalog.products.map((product) => product.id)).size, slugs.length, 'duplicate id');
    for (const product of catalog.products) {
      assert.match(product.slug, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      assert.equal(product.slug, slugify(product.title));
      assert.match(product.id, /^prod_[0-9a-f]{16}$/);
      assert.equal(product.id, productIdForSlug(product.slug));
    }
  });

  it('has unique uppercase SKUs of at most 64 characters', () => {
    const skus = variants.map((variant) => variant.sku);
    assert.equal(new Set(skus).size, skus.length, 'duplicate SKU');
    for (const sku of skus) {
      assert.match(sku, /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/);
      assert.ok(sku.length <= 64, sku);
    }
  });

  it('gives each product 1-4 variants with distinct options', () => {
    for (const product of catalog.products) {
      assert.ok(product.variants.length >= 1 && product.variants.length <= 4, `${product.slug}: ${product.variants.length}`);
      const options = product.variants.map((variant) => JSON.stringify(variant.options));
      assert.equal(new Set(options).size, options.length, `${product.slug}: repeated options`);
      for (const variant of product.variants) {
        assert.ok(Object.keys(variant.options).length > 0, variant.sku);
        assert.ok(variant.title.length > 0, variant.sku);
      }
    }
  });

  it('prices every variant in USD and EUR as positive integers that look like shop prices', () => {
    for (const variant of variants) {
      assert.deepEqual(Object.keys(variant.prices).sort(), [...demoCurrencies].sort(), variant.sku);
      for (const currency of demoCurrencies) {
        const amount = variant.prices[currency];
        assert.ok(amount !== undefined && Number.isSafeInteger(amount) && amount > 0, `${variant.sku} ${currency}`);
        assert.ok(amount % 100 === 99 || amount % 100 === 0, `${variant.sku} ${currency} ${amount}`);
        assert.ok(amount >= 500 && amount <= 200_000, `${variant.sku} ${currency} ${amount}`);
      }
    }
  });

  it('writes a varied description of a few sentences, attributes and an image for each product', () => {
    const descriptions = new Set(catalog.products.map((product) => product.description));
    assert.equal(descriptions.size, catalog.products.length, 'descriptions repeat');
    for (const product of catalog.products) {
      const sentences = product.description.split(/(?<=[.!?])\s+/).length;
      assert.ok(sentences >= 2 && sentences <= 6, `${product.slug}: ${sentences} sentences`);
      assert.ok(!product.description.includes('{'), `${product.slug}: unfilled template`);
      assert.ok(product.attributes['material'], `${product.slug}: material`);
      assert.match(product.attributes['weight'] ?? '', /^\d+(\.\d+)? (g|kg)$/, product.slug);
      assert.deepEqual(product.images, [{ url: `/media/products/${product.slug}.svg`, alt: product.title }]);
      assert.equal(product.createdAtMs, nowMs);
      assert.equal(product.updatedAtMs, nowMs);
    }
  });

  it('publishes nearly everything, and every drop', () => {
    const unpublished = catalog.products.filter((product) => !product.published);
    assert.ok(unpublished.length <= 3, `${unpublished.length} unpublished`);
    assert.ok(drops.every((product) => product.published));
  });
});

describe('demo catalog: stock rules', () => {
  it('has exactly one stock row per SKU, with a non-negative integer on hand', () => {
    assert.equal(catalog.stock.length, variants.length);
    assert.deepEqual(new Set(catalog.stock.map((row) => row.sku)), new Set(variants.map((variant) => variant.sku)));
    for (const row of catalog.stock) assert.ok(Number.isSafeInteger(row.onHand) && row.onHand >= 0, row.sku);
  });

  it('has a handful of drops: small stock, held at add-to-cart for 10 minutes, one per customer', () => {
    assert.ok(drops.length >= 4 && drops.length <= 6, `${drops.length} drops`);
    for (const variant of drops.flatMap((product) => product.variants)) {
      assert.equal(variant.limited, true, variant.sku);
      assert.equal(variant.holdAt, 'cart');
      assert.equal(variant.holdTtlMs, dropHoldTtlMs);
      assert.equal(dropHoldTtlMs, 600_000);
      assert.equal(variant.purchaseLimitPerCustomer, 1);
      assert.equal(variant.allowBackorder, false);
      assert.ok(onHand(variant) >= 5 && onHand(variant) <= 50, `${variant.sku}: ${onHand(variant)}`);
    }
    assert.deepEqual(demoDropSkus(), drops.flatMap((product) => product.variants.map((variant) => variant.sku)));
  });

  it('has one or two made-to-order SKUs that allow backorder and hold at checkout', () => {
    assert.ok(backorderVariants.length >= 1 && backorderVariants.length <= 2, `${backorderVariants.length} backorder SKUs`);
    for (const variant of backorderVariants) {
      assert.equal(variant.holdAt, 'checkout', variant.sku);
      assert.equal(variant.limited, false);
    }
    assert.deepEqual(demoBackorderSkus(), backorderVariants.map((variant) => variant.sku));
  });

  it('sells every other SKU the ordinary way, with 20-500 units on hand', () => {
    const special = new Set([...demoDropSkus(), ...demoBackorderSkus()]);
    const ordinary = variants.filter((variant) => !special.has(variant.sku));
    assert.ok(ordinary.length > 400, `${ordinary.length} ordinary SKUs`);
    for (const variant of ordinary) {
      const { sku, title, options, prices, ...rules } = variant;
      assert.deepEqual(
        rules,
        { limited: false, holdAt: 'order', holdTtlMs: regularHoldTtlMs, purchaseLimitPerCustomer: null, allowBackorder: false },
        sku,
      );
      assert.ok(onHand(variant) >= 20 && onHand(variant) <= 500, `${sku}: ${onHand(variant)}`);
    }
    assert.equal(regularHoldTtlMs, 900_000);
  });
});

describe('demo catalog: determinism', () => {
  it('returns the same catalog on every call', () => {
    assert.deepEqual(demoCatalog(nowMs), catalog);
  });

  it('depends on nowMs only through the timestamps', () => {
    const later = demoCatalog(nowMs + 86_400_000);
    const withoutTimes = (products: Product[]) => products.map(({ createdAtMs, updatedAtMs, ...rest }) => rest);
    assert.deepEqual(withoutTimes(later.products), withoutTimes(catalog.products));
    assert.deepEqual(later.stock, catalog.stock);
    assert.ok(later.products.every((product) => product.createdAtMs === nowMs + 86_400_000));
  });

  it('keeps src/seed free of clocks, Math.random and node: imports (it also runs on Workers)', () => {
    const directory = new URL('../../src/seed/', import.meta.url);
    const files = readdirSync(directory).filter((name) => name.endsWith('.ts'));
    assert.ok(files.length > 0);
    for (const name of files) {
      // Comments may name what the code avoids; only the code is checked.
      const source = readFileSync(new URL(name, directory), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      assert.doesNotMatch(source, /Math\.random|\bDate\b|performance\.now/, name);
      assert.doesNotMatch(source, /from\s+['"]node:|import\(\s*['"]node:|require\(/, name);
    }
  });
});

describe('demo catalog: helpers', () => {
  it('makes SKU segments and slugs', () => {
    assert.equal(skuToken('Storm Blue'), 'STORM-BLUE');
    assert.equal(skuToken('60 m'), '60M');
    assert.equal(skuToken('S/M'), 'SM');
    assert.equal(skuToken('105-125 cm'), '105-125CM');
    assert.equal(slugify('Made-to-Order Canvas Bell Tent'), 'made-to-order-canvas-bell-tent');
    assert.equal(slugify('  Ünïcode & Co. '), 'unicode-co');
  });
});
