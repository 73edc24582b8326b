// What the writer thread adds to the embedded store beyond the contract suite: errors keep their
// class across the thread, the catalog caches of the reading connection see the writer's
// catalog changes at once (another process's within a second) and ignore its order traffic,
// the group-commit counters reach this thread, and a closed store refuses writes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { externalCatalogRecheckMs } from '../../src/adapters/sqlite/read-cache.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { openThreadedSqliteStore } from '../../src/adapters/sqlite/threaded-store.ts';
import { DomainError } from '../../src/core/errors.ts';
import { threadedStores } from '../support/threaded-stores.ts';
import { cart, category, product, variant } from './fixtures.ts';

const { nextPath, withStore } = threadedStores('peakcart-writer-thread-');

describe('SQLite store with its writer thread', () => {
  it('hands a write\'s DomainError back as a DomainError with its code and extras', () =>
    withStore(async (store) => {
      await store.catalog.createProduct(product('tent', { id: 'prod_1', variants: [variant('TENT-1')] }));
      const failure = await store.catalog.createProduct(product('tent', { id: 'prod_1', variants: [variant('TENT-1')] })).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof DomainError, 'a DomainError, so the HTTP layer answers with its problem type');
      assert.equal(failure.code, 'conflict');
      assert.deepEqual(failure.extras, { id: 'prod_1' });
    }));

  it('reads the writer\'s catalog change at once, through the caches of the reading connection', () =>
    withStore(async (store) => {
      await store.catalog.upsertCategory(category('tents', 1));
      const cached = await store.catalog.listCategories();
      assert.deepEqual(cached.map((found) => found.slug), ['tents']);
      // The cache hands out one frozen object per entry: the same object means it was kept.
      await store.carts.createCart(cart('cart_1'));
      assert.equal(await store.catalog.listCategories(), cached, 'a cart write on the writer leaves the catalog cache alone');
      await store.catalog.upsertCategory(category('stoves', 2));
      const changed = await store.catalog.listCategories();
      assert.notEqual(changed, cached);
      assert.deepEqual(changed.map((found) => found.slug), ['tents', 'stoves']);
    }));

  it('shows a catalog change another process made to the file within a second', () =>
    withStore(async (store) => {
      await store.catalog.upsertCategory(category('tents', 1));
      assert.equal((await store.catalog.listCategories()).length, 1);
      // Another process on the same file (a CLI, say): its writes reach no cache of ours.
      const other = await openSqliteStore({ path: store.path });
      try {
        await other.catalog.upsertCategory(category('stoves', 2));
      } finally {
        await other.close();
      }
      await new Promise((resolve) => setTimeout(resolve, externalCatalogRecheckMs + 50));
      assert.deepEqual((await store.catalog.listCategories()).map((found) => found.slug), ['tents', 'stoves']);
    }));

  it('keeps group commit: many writes at once share transactions, and the counters reach this thread', () =>
    withStore(async (store) => {
      await Promise.all(Array.from({ length: 200 }, (_, index) => store.carts.createCart(cart(`cart_${index}`))));
      assert.equal(store.stats.operations, 200);
      assert.ok(store.stats.transactions < 200, `200 writes took ${store.stats.transactions} transactions`);
      assert.ok(store.stats.largestBatch > 1);
    }));

  it('without its writer thread: writes and cart reads fail as store-unavailable, the catalog and stock still read', async () => {
    const lost: Error[] = [];
    const store = await openThreadedSqliteStore({ path: nextPath(), onWriterLost: (error) => lost.push(error) });
    try {
      await store.catalog.createProduct(product('tent', { id: 'prod_1', variants: [variant('TENT-1')] }));
      await store.carts.createCart(cart('cart_1'));
      await store.killWriter();
      // Told once, so the process can log why its writes fail from now on.
      assert.equal(lost.length, 1);
      assert.ok(lost[0] instanceof DomainError && lost[0].code === 'store-unavailable');
      for (const pending of [store.carts.createCart(cart('cart_2')), store.carts.getCart('cart_1'), store.idempotency.begin('POST /store/carts', 'k', 'h', 0, 1_000)]) {
        const failure = await pending.then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(failure instanceof DomainError && failure.code === 'store-unavailable', `store-unavailable, got ${String(failure)}`);
      }
      assert.equal((await store.catalog.getProductBySlug('tent'))?.id, 'prod_1');
      assert.ok((await store.stock.getLevels(['TENT-1'], 0)).has('TENT-1'));
      await assert.rejects(store.ping(), /writer thread exited/);
    } finally {
      await store.close();
    }
    assert.equal(lost.length, 1);
  });

  it('refuses writes once closed; what it wrote before is in the file', async () => {
    const store = await openThreadedSqliteStore({
      path: nextPath(),
      onWriterLost: () => assert.fail('a closed writer is not a lost one'),
    });
    await store.carts.createCart(cart('cart_1'));
    await store.close();
    await assert.rejects(store.carts.createCart(cart('cart_2')), /closed/);
    const reopened = await openThreadedSqliteStore({ path: store.path });
    try {
      assert.equal((await reopened.carts.getCart('cart_1'))?.id, 'cart_1');
      assert.equal(await reopened.carts.getCart('cart_2'), undefined);
    } finally {
      await reopened.close();
    }
  });
});
