// The Redis layer against a real redis-server when things go wrong: Redis flushed, restarted
// with and without its AOF, down, or behind the store; writers that die. The system of record
// (SQLite here) stays the truth and refuses on its own to sell beyond on-hand.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/sqlite/store.ts';
import { openLink } from '../../src/adapters/redis/client.ts';
import { dirtyKey, skuKeys } from '../../src/adapters/redis/keys.ts';
import { wrapWithRedis, type RedisStore } from '../../src/adapters/redis/store.ts';
import type { Store } from '../../src/core/ports.ts';
import { commit, committedOrder, counters, hold, receive, rejectsWithCode, t0Ms } from '../contract/fixtures.ts';
import { redisSkipReason, startRedis, type RedisNode } from '../support/redis-server.ts';

const skip = redisSkipReason();
const directory = mkdtempSync(join(tmpdir(), 'peakcart-redis-recovery-'));
const minuteMs = 60_000;
let counter = 0;

after(() => rmSync(directory, { recursive: true, force: true }));

async function recordStore(): Promise<SqliteStore> {
  counter += 1;
  return openSqliteStore({ path: join(directory, `store-${counter}`, 'peakcart.sqlite') });
}

async function layer(redis: RedisNode, inner: Store, prefix = `recovery${counter}`): Promise<RedisStore> {
  return wrapWithRedis(inner, await openLink({ url: redis.url, commandTimeoutMs: 1_000 }), { keyPrefix: prefix, reloadQuarantineMs: 0 });
}

async function flushAll(store: RedisStore): Promise<void> {
  await store.hot.link.command((redis) => redis.flushall());
}

describe('Redis and the system of record', { skip }, () => {
  it('after FLUSHALL: levels come from the store, holds are gone, the next hold reloads on-hand and sold', async () => {
    const redis = await startRedis();
    const store = await layer(redis, await recordStore());
    try {
      await receive(store, 'drop', 5);
      committedOrder(await commit(store, 'ord_1', 'cart_0', [{ sku: 'drop', quantity: 2 }]));
      assert.equal((await store.stock.setHolds('cart_1', [hold('drop', 3, t0Ms + minuteMs)], t0Ms)).ok, true);
      assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 2, held: 3, available: 0 });
      await flushAll(store);
      // The holds were lost with the data; what was sold was not (it is in the store).
      assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 2, held: 0, available: 3 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), []);
      // The cart re-holds (checkout does this) and another cart can take only what is left.
      assert.equal((await store.stock.setHolds('cart_1', [hold('drop', 3, t0Ms + minuteMs)], t0Ms)).ok, true);
      assert.deepEqual(await store.stock.setHolds('cart_2', [hold('drop', 1, t0Ms + minuteMs)], t0Ms), {
        ok: false,
        shortages: [{ sku: 'drop', requested: 1, available: 0 }],
      });
      committedOrder(await commit(store, 'ord_2', 'cart_1', [{ sku: 'drop', quantity: 3 }]));
      assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 5, held: 0, available: 0 });
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('a sale that straddles a flush marks its SKU dirty, and the sweep reloads the exact figures', async () => {
    const redis = await startRedis();
    const inner = await recordStore();
    let store: RedisStore | undefined;
    let straddled = false;
    // The first store commit runs after Redis lost its data and another cart already reloaded the SKU.
    const straddling: Store = {
      ...inner,
      orders: {
        ...inner.orders,
        async commitOrder(input) {
          if (straddled) return inner.orders.commitOrder(input);
          straddled = true;
          await flushAll(store!);
          assert.equal((await store!.stock.setHolds('cart_other', [hold('drop', 1, t0Ms + minuteMs)], t0Ms)).ok, true);
          return inner.orders.commitOrder(input);
        },
      },
    };
    store = await layer(redis, straddling);
    try {
      await receive(store, 'drop', 5);
      committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'drop', quantity: 2 }]));
      // Redis reloaded before the sale reached the store: it is behind by the straddling sale...
      assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 0, held: 1, available: 4 });
      assert.deepEqual(await store.hot.link.command((r) => r.smembers(dirtyKey(`recovery${counter}`))), ['drop']);
      // ...which the store's own check still catches: it never sells beyond on-hand.
      const tooMany = await commit(store, 'ord_2', 'cart_2', [{ sku: 'drop', quantity: 4 }]);
      assert.deepEqual(tooMany, { ok: false, reason: 'sold-out', shortages: [{ sku: 'drop', requested: 4, available: 3 }] });
      assert.equal((await inner.stock.getLevels(['drop'], t0Ms)).get('drop')?.sold, 2);
      // The next sweep reloads the SKU: exact again, the other cart's hold kept.
      await store.stock.releaseExpiredHolds(t0Ms, 10);
      assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 2, held: 1, available: 2 });
      assert.deepEqual(await store.hot.link.command((r) => r.smembers(dirtyKey(`recovery${counter}`))), []);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('the store refuses on its own when Redis claims more stock than there is, with its holds table empty', async () => {
    const redis = await startRedis();
    const inner = await recordStore();
    const store = await layer(redis, inner);
    try {
      await receive(store, 'drop', 2);
      assert.equal((await store.stock.setHolds('cart_1', [hold('drop', 1, t0Ms + minuteMs)], t0Ms)).ok, true);
      // Holds live only in Redis: the store's own holds table has none.
      assert.deepEqual(await inner.stock.listHolds('cart_1', t0Ms), []);
      assert.deepEqual(inner.checkInvariants(t0Ms), { heldMismatches: [], oversold: [] });
      // Corrupt the cache: Redis now believes 100 units are on hand.
      await store.hot.link.command((r) => r.hset(skuKeys(`recovery${counter}`, 'drop').stock, 'onHand', 100));
      const result = await commit(store, 'ord_1', 'cart_2', [{ sku: 'drop', quantity: 3 }]);
      assert.deepEqual(result, { ok: false, reason: 'sold-out', shortages: [{ sku: 'drop', requested: 3, available: 2 }] });
      assert.equal((await inner.stock.getLevels(['drop'], t0Ms)).get('drop')?.sold, 0);
      // The refusal marks the SKU dirty; the sweep puts the truth back, and the hold survives it.
      await store.stock.releaseExpiredHolds(t0Ms, 10);
      assert.deepEqual(await counters(store, 'drop'), { onHand: 2, sold: 0, held: 1, available: 1 });
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('answers 503 (overloaded) at once while Redis is down, keeps holds across a kill -9 with AOF, and recovers by itself', async () => {
    const redis = await startRedis({ persistence: 'aof' });
    const store = await layer(redis, await recordStore());
    try {
      await receive(store, 'drop', 3);
      assert.equal((await store.stock.setHolds('cart_1', [hold('drop', 2, t0Ms + minuteMs)], t0Ms)).ok, true);
      // A sweep notes the node's run_id, so that a restart is noticed.
      await store.stock.releaseExpiredHolds(t0Ms, 10);
      await redis.kill('SIGKILL');
      const startedMs = Date.now();
      await rejectsWithCode(store.stock.setHolds('cart_2', [hold('drop', 1, t0Ms + minuteMs)], t0Ms), 'overloaded');
      await rejectsWithCode(commit(store, 'ord_1', 'cart_1', [{ sku: 'drop', quantity: 2 }]), 'overloaded');
      await assert.rejects(store.ping());
      // A hang would be a timeout storm; the bound is generous (it is no speed test).
      assert.ok(Date.now() - startedMs < 5_000, `failing took ${Date.now() - startedMs} ms`);
      assert.equal(await store.orders.getOrder('ord_1'), undefined);

      await redis.start();
      // ioredis reconnects by itself; the scripts are re-sent after NOSCRIPT.
      for (let attempt = 0; ; attempt++) {
        try {
          await store.ping();
          break;
        } catch (error) {
          if (attempt > 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), [{ cartId: 'cart_1', sku: 'drop', quantity: 2, expiresAtMs: t0Ms + minuteMs }]);
      assert.deepEqual(await counters(store, 'drop'), { onHand: 3, sold: 0, held: 2, available: 1 });
      // Stand-in for the last second of writes an AOF with everysec may lose in a power cut: the
      // cached on-hand is wrong. The new run_id makes the sweep reload every SKU of the node.
      await store.hot.link.command((r) => r.hset(skuKeys(`recovery${counter}`, 'drop').stock, 'onHand', 99));
      await store.stock.releaseExpiredHolds(t0Ms, 10);
      assert.deepEqual(await counters(store, 'drop'), { onHand: 3, sold: 0, held: 2, available: 1 });
      committedOrder(await commit(store, 'ord_1', 'cart_1', [{ sku: 'drop', quantity: 2 }]));
      assert.deepEqual(await counters(store, 'drop'), { onHand: 3, sold: 2, held: 0, available: 1 });
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('a restart without persistence loses holds only: sold comes back from the store', async () => {
    const redis = await startRedis({ persistence: 'none' });
    const store = await layer(redis, await recordStore());
    try {
      await receive(store, 'drop', 4);
      committedOrder(await commit(store, 'ord_1', 'cart_0', [{ sku: 'drop', quantity: 1 }]));
      assert.equal((await store.stock.setHolds('cart_1', [hold('drop', 3, t0Ms + minuteMs)], t0Ms)).ok, true);
      await redis.kill('SIGKILL');
      await redis.start();
      await store.hot.link.command((r) => r.ping()).catch(() => undefined);
      let level: Awaited<ReturnType<typeof counters>> | undefined;
      for (let attempt = 0; level === undefined; attempt++) {
        level = await counters(store, 'drop').catch((error: unknown) => {
          if (attempt > 100) throw error;
          return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50));
        });
      }
      assert.deepEqual(level, { onHand: 4, sold: 1, held: 0, available: 3 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), []);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('sells 20 units to exactly 20 of 60 carts spread over two instances, and Redis agrees with the store', async () => {
    const redis = await startRedis();
    const inner = await recordStore();
    const prefix = `pair${counter}`;
    const instances = [await layer(redis, inner, prefix), wrapWithRedis(inner, await openLink({ url: redis.url }), { keyPrefix: prefix, reloadQuarantineMs: 0 })];
    try {
      await receive(instances[0]!, 'drop', 20);
      const results = await Promise.all(
        Array.from({ length: 60 }, async (_, index) => {
          const store = instances[index % 2]!;
          const held = await store.stock.setHolds(`cart_${index}`, [hold('drop', 1, t0Ms + minuteMs)], t0Ms);
          if (!held.ok) return 'not held';
          const placed = await commit(store, `ord_${index}`, `cart_${index}`, [{ sku: 'drop', quantity: 1 }]);
          return placed.ok ? 'ordered' : placed.reason;
        }),
      );
      assert.equal(results.filter((result) => result === 'ordered').length, 20);
      assert.equal(results.filter((result) => result === 'not held').length, 40);
      assert.equal((await inner.stock.getLevels(['drop'], t0Ms)).get('drop')?.sold, 20);
      for (const store of instances) assert.deepEqual(await counters(store, 'drop'), { onHand: 20, sold: 20, held: 0, available: 0 });
      // Straight from Redis: nothing pending, no hold left, the counters as the store says.
      const keys = skuKeys(prefix, 'drop');
      const cached = await instances[0]!.hot.link.command((r) => r.hgetall(keys.stock));
      assert.deepEqual([cached['onHand'], cached['sold'], cached['pending'], cached['held']], ['20', '20', '0', '0']);
      assert.equal(await instances[0]!.hot.link.command((r) => r.hlen(keys.holdQuantity)), 0);
      assert.equal(await instances[0]!.hot.link.command((r) => r.hlen(keys.intents)), 0);
    } finally {
      await instances[1]!.hot.link.close();
      await instances[0]!.close();
      await redis.stop();
    }
  });

  it('shares holds between instances, and the holds of an instance that died expire for the others', async () => {
    const redis = await startRedis();
    const inner = await recordStore();
    const prefix = `shared${counter}`;
    const first = await layer(redis, inner, prefix);
    const second = wrapWithRedis(inner, await openLink({ url: redis.url }), { keyPrefix: prefix, reloadQuarantineMs: 0 });
    try {
      await receive(first, 'drop', 1);
      const both = await Promise.all([
        first.stock.setHolds('cart_1', [hold('drop', 1, t0Ms + minuteMs)], t0Ms),
        second.stock.setHolds('cart_2', [hold('drop', 1, t0Ms + minuteMs)], t0Ms),
      ]);
      assert.equal(both.filter((result) => result.ok).length, 1);
      // The instance that holds goes away without a word.
      first.hot.link.connection.disconnect();
      assert.deepEqual(await counters(second, 'drop', t0Ms + minuteMs - 1), { onHand: 1, sold: 0, held: 1, available: 0 });
      assert.equal(await second.stock.releaseExpiredHolds(t0Ms + minuteMs, 100), 1);
      assert.deepEqual(await counters(second, 'drop', t0Ms + minuteMs), { onHand: 1, sold: 0, held: 0, available: 1 });
      committedOrder(await commit(second, 'ord_1', 'cart_3', [{ sku: 'drop', quantity: 1 }], { nowMs: t0Ms + minuteMs }));
    } finally {
      await second.close();
      await redis.stop();
    }
  });
  it('a sale reserved by an instance that died gives its units back once its lease ends, to whoever looks next', async () => {
    const redis = await startRedis();
    const inner = await recordStore();
    const prefix = `dead-sale${counter}`;
    const survivor = wrapWithRedis(inner, await openLink({ url: redis.url }), { keyPrefix: prefix, reloadQuarantineMs: 0, intentLeaseMs: 200 });
    const dying = wrapWithRedis(inner, await openLink({ url: redis.url }), { keyPrefix: prefix, reloadQuarantineMs: 0, intentLeaseMs: 200 });
    try {
      await receive(survivor, 'drop', 3);
      // The dying instance reserves 2 units for a sale (step 1 of a checkout) and is killed
      // before it commits in the store or settles in Redis.
      assert.equal((await dying.hot.runLoaded('pcReserve', 'drop', ['sale:ord_dead', 'cart_dead', 2, 0, t0Ms], t0Ms))[0], 'ok');
      dying.hot.link.connection.disconnect();
      assert.deepEqual(await counters(survivor, 'drop'), { onHand: 3, sold: 2, held: 0, available: 1 });
      assert.equal((await survivor.stock.setHolds('cart_1', [hold('drop', 3, t0Ms + minuteMs)], t0Ms)).ok, false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Past the lease, a look at the SKU (a short hold or a level read) marks it for reload,
      // and the next sweep of any instance reloads it from the store, where nothing was sold.
      assert.equal((await survivor.stock.setHolds('cart_1', [hold('drop', 3, t0Ms + minuteMs)], t0Ms)).ok, false);
      await survivor.stock.releaseExpiredHolds(t0Ms, 100);
      assert.deepEqual(await counters(survivor, 'drop'), { onHand: 3, sold: 0, held: 0, available: 3 });
      assert.equal((await survivor.stock.setHolds('cart_1', [hold('drop', 3, t0Ms + minuteMs)], t0Ms)).ok, true);
    } finally {
      await survivor.close();
      await redis.stop();
    }
  });
});
