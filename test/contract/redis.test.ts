// Runs the Store contract suite on SQLite + Redis: holds live in a real redis-server started by
// the harness, the ledger and orders in a fresh SQLite file. Each test gets its own key prefix
// on the same Redis, which is as fresh as a flushed database and lets tests not wait on FLUSHDB.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { openLink, type RedisLink } from '../../src/adapters/redis/client.ts';
import { wrapWithRedis } from '../../src/adapters/redis/store.ts';
import { redisSkipReason, startRedis, type RedisNode } from '../support/redis-server.ts';
import { runContract } from './run-contract.ts';

const skip = redisSkipReason();
const directory = mkdtempSync(join(tmpdir(), 'peakcart-contract-redis-'));
let redis: RedisNode | undefined;
let storeCounter = 0;

before(async () => {
  if (skip === false) redis = await startRedis();
});

after(async () => {
  await redis?.stop();
  rmSync(directory, { recursive: true, force: true });
});

runContract({
  name: 'sqlite + redis',
  skip,
  makeStore: async () => {
    storeCounter += 1;
    if (redis === undefined) throw new Error('redis-server did not start');
    const inner = await openSqliteStore({ path: join(directory, `store-${storeCounter}`, 'peakcart.sqlite') });
    let link: RedisLink;
    try {
      link = await openLink({ url: redis.url });
    } catch (error) {
      await inner.close();
      throw error;
    }
    // No quarantine: nothing else writes this store, so there is no write in flight to wait for.
    return wrapWithRedis(inner, link, { keyPrefix: `contract${storeCounter}`, reloadQuarantineMs: 0 });
  },
});
