// The stock scripts on a real 3-node Redis Cluster started by the harness: the whole Store
// contract suite over SQLite + Redis Cluster, and checks that a cart's SKUs really land on
// different nodes, that each script stays in one slot (even for SKUs with braces), and that a
// multi-SKU hold across nodes is all or nothing.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { clusterNodes, openLink, type RedisLink } from '../../src/adapters/redis/client.ts';
import { skuKeys } from '../../src/adapters/redis/keys.ts';
import { wrapWithRedis, type RedisStore } from '../../src/adapters/redis/store.ts';
import { commit, committedOrder, counters, hold, receive, t0Ms } from '../contract/fixtures.ts';
import { runContract } from '../contract/run-contract.ts';
import { redisSkipReason, startRedisCluster, type RedisCluster } from '../support/redis-server.ts';

const skip = redisSkipReason();
const directory = mkdtempSync(join(tmpdir(), 'peakcart-redis-cluster-'));
let cluster: RedisCluster | undefined;
let storeCounter = 0;
const minuteMs = 60_000;

before(async () => {
  if (skip === false) cluster = await startRedisCluster(3);
}, { timeout: 60_000 });

after(async () => {
  await cluster?.stop();
  rmSync(directory, { recursive: true, force: true });
});

async function makeStore(): Promise<RedisStore> {
  storeCounter += 1;
  if (cluster === undefined) throw new Error('the cluster did not start');
  const inner = await openSqliteStore({ path: join(directory, `store-${storeCounter}`, 'peakcart.sqlite') });
  let link: RedisLink;
  try {
    link = await openLink({ url: cluster.url });
  } catch (error) {
    await inner.close();
    throw error;
  }
  return wrapWithRedis(inner, link, { keyPrefix: `cluster${storeCounter}`, reloadQuarantineMs: 0 });
}

runContract({ name: 'sqlite + redis cluster (3 nodes)', skip, makeStore });

describe('stock scripts on Redis Cluster', { skip }, () => {
  it('parses the cluster URL form', () => {
    assert.deepEqual(clusterNodes('redis-cluster://127.0.0.1:7001,127.0.0.1:7002'), [
      { host: '127.0.0.1', port: 7001 },
      { host: '127.0.0.1', port: 7002 },
    ]);
    assert.throws(() => clusterNodes('redis-cluster://'), /names no cluster node/);
  });

  it('keeps every key of a SKU in one slot, spreads SKUs over the nodes, and holds across them all or nothing', async () => {
    const store = await makeStore();
    try {
      const connection = store.hot.link.connection;
      assert.ok(connection instanceof Cluster);
      const skus = Array.from({ length: 12 }, (_, index) => `sku-${index}`).concat(['odd}sku', '{odd', 'a{b}c']);
      const slotsOf = async (sku: string) => {
        const keys = Object.values(skuKeys(`cluster${storeCounter}`, sku));
        return new Set(await Promise.all(keys.map((key) => connection.cluster('KEYSLOT', key))));
      };
      const nodeOfSlot = new Map<number, string>();
      for (const [start, end, master] of await connection.cluster('SLOTS')) {
        for (let slot = start; slot <= end; slot++) nodeOfSlot.set(slot, `${master?.[0]}:${master?.[1]}`);
      }
      const nodesUsed = new Set<string>();
      for (const sku of skus) {
        const slots = await slotsOf(sku);
        assert.equal(slots.size, 1, `every key of ${sku} in one slot`);
        nodesUsed.add(nodeOfSlot.get([...slots][0]!)!);
      }
      assert.equal(nodesUsed.size, 3, 'the SKUs spread over all three nodes');

      for (const sku of skus) await receive(store, sku, 2);
      // One cart holding on every SKU (three nodes): fits.
      const all = await store.stock.setHolds('cart_1', skus.map((sku) => hold(sku, 1, t0Ms + minuteMs)), t0Ms);
      assert.equal(all.ok, true);
      // A second cart wants 2 of each: every SKU is short by one, so nothing changes anywhere.
      const short = await store.stock.setHolds('cart_2', skus.map((sku) => hold(sku, 2, t0Ms + minuteMs)), t0Ms);
      assert.equal(short.ok, false);
      assert.equal(short.ok ? 0 : short.shortages.length, skus.length);
      // Only the last SKU is short: the holds that grew on the other nodes are put back.
      await store.stock.setHolds('cart_3', [hold(skus.at(-1)!, 1, t0Ms + minuteMs)], t0Ms);
      const oneShort = await store.stock.setHolds('cart_2', skus.map((sku) => hold(sku, 1, t0Ms + minuteMs)), t0Ms);
      assert.deepEqual(oneShort, { ok: false, shortages: [{ sku: skus.at(-1)!, requested: 1, available: 0 }] });
      assert.deepEqual(await store.stock.listHolds('cart_2', t0Ms), []);
      for (const sku of skus.slice(0, -1)) assert.deepEqual(await counters(store, sku), { onHand: 2, sold: 0, held: 1, available: 1 });
      // The holding cart checks out across all nodes; its holds become sales.
      committedOrder(await commit(store, 'ord_1', 'cart_1', skus.map((sku) => ({ sku, quantity: 1 }))));
      for (const sku of skus.slice(0, -1)) assert.deepEqual(await counters(store, sku), { onHand: 2, sold: 1, held: 0, available: 1 });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), []);
    } finally {
      await store.close();
    }
  });

  it('applies no shrink when a growth in the same request is short, and both when all fit', async () => {
    const store = await makeStore();
    try {
      await receive(store, 'sku-1', 3);
      await receive(store, 'sku-2', 2);
      assert.equal((await store.stock.setHolds('cart_1', [hold('sku-1', 3, t0Ms + minuteMs), hold('sku-2', 1, t0Ms + minuteMs)], t0Ms)).ok, true);
      const short = await store.stock.setHolds('cart_1', [hold('sku-1', 1, t0Ms + 2 * minuteMs), hold('sku-2', 5, t0Ms + 2 * minuteMs)], t0Ms);
      assert.deepEqual(short, { ok: false, shortages: [{ sku: 'sku-2', requested: 5, available: 2 }] });
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), [
        { cartId: 'cart_1', sku: 'sku-1', quantity: 3, expiresAtMs: t0Ms + minuteMs },
        { cartId: 'cart_1', sku: 'sku-2', quantity: 1, expiresAtMs: t0Ms + minuteMs },
      ]);
      assert.equal((await store.stock.setHolds('cart_1', [hold('sku-1', 1, t0Ms + 2 * minuteMs), hold('sku-2', 2, t0Ms + 2 * minuteMs)], t0Ms)).ok, true);
      assert.deepEqual(await store.stock.listHolds('cart_1', t0Ms), [
        { cartId: 'cart_1', sku: 'sku-1', quantity: 1, expiresAtMs: t0Ms + 2 * minuteMs },
        { cartId: 'cart_1', sku: 'sku-2', quantity: 2, expiresAtMs: t0Ms + 2 * minuteMs },
      ]);
      assert.deepEqual(await counters(store, 'sku-1'), { onHand: 3, sold: 0, held: 1, available: 2 });
    } finally {
      await store.close();
    }
  });

  it('gives 10 units of a hot SKU to exactly 10 of 40 carts holding at once through the cluster', async () => {
    const store = await makeStore();
    try {
      await receive(store, 'hot', 10);
      const results = await Promise.all(Array.from({ length: 40 }, (_, index) => store.stock.setHolds(`cart_${index}`, [hold('hot', 1, t0Ms + minuteMs)], t0Ms)));
      assert.equal(results.filter((result) => result.ok).length, 10);
      const orders = await Promise.all(Array.from({ length: 40 }, (_, index) => commit(store, `ord_${index}`, `cart_${index}`, [{ sku: 'hot', quantity: 1 }])));
      assert.equal(orders.filter((result) => result.ok).length, 10);
      assert.deepEqual(await counters(store, 'hot'), { onHand: 10, sold: 10, held: 0, available: 0 });
      assert.equal((await store.inner.stock.getLevels(['hot'], t0Ms)).get('hot')?.sold, 10);
    } finally {
      await store.close();
    }
  });
});
