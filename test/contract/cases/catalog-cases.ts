// Contract: the catalog. Products with variants round-trip whole; slugs and SKUs are unique
// across products; listing is by slug, in pages, filtered by category, words and publication.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { category, product, rejectsWithCode, variant, type UseStore } from '../fixtures.ts';

export function catalogCases(use: UseStore): void {
  describe('catalog', () => {
    it('stores a product with its variants and reads it back by id and by slug', use(async (store) => {
      const tee = product('tee', { variants: [variant('tee-s', { purchaseLimitPerCustomer: 2, limited: true, holdAt: 'cart' }), variant('tee-m'), variant('tee-l', { allowBackorder: true })] });
      await store.catalog.createProduct(tee);
      assert.deepEqual(await store.catalog.getProduct(tee.id), tee);
      assert.deepEqual(await store.catalog.getProductBySlug('tee'), tee);
      assert.equal(await store.catalog.getProduct('prod_missing'), undefined);
      assert.equal(await store.catalog.getProductBySlug('missing'), undefined);
      assert.equal(await store.catalog.countProducts(), 1);
    }));

    it("refuses a slug or a SKU that belongs to another product, and changes nothing", use(async (store) => {
      await store.catalog.createProduct(product('tee'));
      await rejectsWithCode(store.catalog.createProduct(product('tee', { id: 'prod_other', variants: [variant('other-m')] })), 'conflict');
      await rejectsWithCode(store.catalog.createProduct(product('hoodie', { variants: [variant('hoodie-m'), variant('tee-m')] })), 'conflict');
      assert.equal(await store.catalog.countProducts(), 1);
      assert.equal(await store.catalog.getProductBySlug('hoodie'), undefined);
      assert.equal((await store.catalog.findSkus(['hoodie-m'])).size, 0);
    }));

    it('replaces a product on update, variants included, and refuses taken slugs and SKUs', use(async (store) => {
      await store.catalog.createProduct(product('tee', { variants: [variant('tee-s'), variant('tee-m')] }));
      await store.catalog.createProduct(product('hoodie'));
      const renamed = product('tee-shirt', { id: 'prod_tee', title: 'Tee shirt', variants: [variant('tee-m', { title: 'Medium' }), variant('tee-xl')], updatedAtMs: 5 });
      await store.catalog.updateProduct(renamed);
      assert.deepEqual(await store.catalog.getProduct('prod_tee'), renamed);
      assert.equal(await store.catalog.getProductBySlug('tee'), undefined);
      assert.deepEqual([...(await store.catalog.findSkus(['tee-s', 'tee-m', 'tee-xl'])).keys()].sort(), ['tee-m', 'tee-xl']);

      await rejectsWithCode(store.catalog.updateProduct({ ...renamed, slug: 'hoodie' }), 'conflict');
      await rejectsWithCode(store.catalog.updateProduct({ ...renamed, variants: [...renamed.variants, variant('hoodie-m')] }), 'conflict');
      assert.deepEqual(await store.catalog.getProduct('prod_tee'), renamed);
      // A SKU the product gave up is free for another product.
      await store.catalog.updateProduct({ ...(await store.catalog.getProduct('prod_hoodie'))!, variants: [variant('hoodie-m'), variant('tee-s')] });
      assert.equal((await store.catalog.findSkus(['tee-s'])).get('tee-s')?.product.id, 'prod_hoodie');
    }));

    it('deletes a product with its variants, freeing its slug and SKUs', use(async (store) => {
      await store.catalog.createProduct(product('tee'));
      assert.equal(await store.catalog.deleteProduct('prod_tee'), true);
      assert.equal(await store.catalog.deleteProduct('prod_tee'), false);
      assert.equal(await store.catalog.getProduct('prod_tee'), undefined);
      assert.equal((await store.catalog.findSkus(['tee-m'])).size, 0);
      await store.catalog.createProduct(product('tee', { id: 'prod_tee2' }));
      assert.equal((await store.catalog.getProductBySlug('tee'))?.id, 'prod_tee2');
    }));

    it('finds SKUs with their products, leaving out unknown SKUs', use(async (store) => {
      const tee = product('tee', { published: false, variants: [variant('tee-s'), variant('tee-m')] });
      const cap = product('cap');
      await store.catalog.createProduct(tee);
      await store.catalog.createProduct(cap);
      const found = await store.catalog.findSkus(['tee-m', 'cap-m', 'nope', 'tee-m']);
      assert.deepEqual([...found.keys()].sort(), ['cap-m', 'tee-m']);
      assert.deepEqual(found.get('tee-m'), { product: tee, variant: tee.variants[1] });
      assert.deepEqual(found.get('cap-m'), { product: cap, variant: cap.variants[0] });
      assert.equal((await store.catalog.findSkus([])).size, 0);
    }));

    it('upserts categories and lists them by position', use(async (store) => {
      await store.catalog.upsertCategory(category('shoes', 2));
      await store.catalog.upsertCategory(category('shirts', 1));
      await store.catalog.upsertCategory({ ...category('shoes', 0), name: 'Footwear' });
      assert.deepEqual(await store.catalog.listCategories(), [{ ...category('shoes', 0), name: 'Footwear' }, category('shirts', 1)]);
    }));

    it('lists products by slug in pages with an opaque cursor', use(async (store) => {
      for (const slug of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) await store.catalog.createProduct(product(slug));
      const first = await store.catalog.listProducts({ includeUnpublished: false, limit: 2 });
      assert.deepEqual(first.items.map((item) => item.slug), ['alpha', 'bravo']);
      assert.equal(typeof first.nextCursor, 'string');
      assert.deepEqual(first.items[0], product('alpha'));
      const second = await store.catalog.listProducts({ includeUnpublished: false, limit: 2, cursor: first.nextCursor! });
      assert.deepEqual(second.items.map((item) => item.slug), ['charlie', 'delta']);
      const third = await store.catalog.listProducts({ includeUnpublished: false, limit: 2, cursor: second.nextCursor! });
      assert.deepEqual(third.items.map((item) => item.slug), ['echo']);
      assert.equal(third.nextCursor, null);
      const whole = await store.catalog.listProducts({ includeUnpublished: false, limit: 5 });
      assert.equal(whole.items.length, 5);
      assert.equal(whole.nextCursor, null);
    }));

    it("rejects a cursor it did not make as a 'validation' error", use(async (store) => {
      await rejectsWithCode(store.catalog.listProducts({ includeUnpublished: false, limit: 2, cursor: 'not a cursor' }), 'validation');
    }));

    it('filters by publication and category', use(async (store) => {
      await store.catalog.createProduct(product('tee'));
      await store.catalog.createProduct(product('draft-tee', { published: false }));
      await store.catalog.createProduct(product('sneaker', { categorySlug: 'shoes' }));
      const slugs = async (query: { categorySlug?: string; includeUnpublished: boolean }) =>
        (await store.catalog.listProducts({ ...query, limit: 10 })).items.map((item) => item.slug);
      assert.deepEqual(await slugs({ includeUnpublished: false }), ['sneaker', 'tee']);
      assert.deepEqual(await slugs({ includeUnpublished: true }), ['draft-tee', 'sneaker', 'tee']);
      assert.deepEqual(await slugs({ includeUnpublished: true, categorySlug: 'shirts' }), ['draft-tee', 'tee']);
      assert.deepEqual(await slugs({ includeUnpublished: false, categorySlug: 'hats' }), []);
    }));

    it('finds products whose title or description holds every word, ignoring case', use(async (store) => {
      await store.catalog.createProduct(product('red-tee', { title: 'Red Tee', description: 'Soft organic cotton.' }));
      await store.catalog.createProduct(product('blue-tee', { title: 'Blue tee', description: 'Heavy COTTON, boxy fit.' }));
      await store.catalog.createProduct(product('red-cap', { title: 'Red cap', description: 'Wool.' }));
      const slugs = async (text: string) => (await store.catalog.listProducts({ text, includeUnpublished: false, limit: 10 })).items.map((item) => item.slug);
      assert.deepEqual(await slugs('red'), ['red-cap', 'red-tee']);
      assert.deepEqual(await slugs('  RED   cotton '), ['red-tee']);
      assert.deepEqual(await slugs('cotton tee'), ['blue-tee', 'red-tee']);
      assert.deepEqual(await slugs('green'), []);
      assert.deepEqual(await slugs(''), ['blue-tee', 'red-cap', 'red-tee']);
    }));

    it("refuses a NUL character in product text rather than storing it cut short", use(async (store) => {
      await rejectsWithCode(store.catalog.createProduct(product('nul', { title: 'Nul\u0000Title' })), 'validation');
      await rejectsWithCode(store.catalog.createProduct(product('nul', { variants: [variant('nul\u0000-m')] })), 'validation');
      await rejectsWithCode(store.catalog.upsertCategory({ ...category('nul', 1), name: 'a\u0000b' }), 'validation');
      assert.equal(await store.catalog.countProducts(), 0);
    }));

    it('finds nothing for a search word holding a NUL character', use(async (store) => {
      await store.catalog.createProduct(product('tee'));
      for (const text of ['\u0000', 'tee\u0000', '%\u0000x']) {
        assert.deepEqual((await store.catalog.listProducts({ text, includeUnpublished: true, limit: 10 })).items, [], JSON.stringify(text));
      }
    }));

    it('takes % and _ in search words literally', use(async (store) => {
      await store.catalog.createProduct(product('pure', { title: '100% cotton', description: 'snake_case' }));
      await store.catalog.createProduct(product('blend', { title: '1000 cotton', description: 'snakeXcase' }));
      const slugs = async (text: string) => (await store.catalog.listProducts({ text, includeUnpublished: false, limit: 10 })).items.map((item) => item.slug);
      assert.deepEqual(await slugs('100%'), ['pure']);
      assert.deepEqual(await slugs('snake_case'), ['pure']);
      assert.deepEqual(await slugs('%'), ['pure']);
    }));
  });
}
