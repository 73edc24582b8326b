// Runs the Store contract suite on the scale-out pair: PostgreSQL as the system of record (one
// fresh schema per test) with the stock holds in Redis in front of it (one key prefix per
// test), both real servers started by the harness. The same cases as SQLite, no skips.

import { after, before } from 'node:test';
import postgres from 'postgres';
import { openPostgresStore } from '../../src/adapters/postgres/store.ts';
import { openLink, type RedisLink } from '../../src/adapters/redis/client.ts';
import { wrapWithRedis } from '../../src/adapters/redis/store.ts';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../support/postgres-server.ts';
import { redisSkipReason, startRedis, type RedisNode } from '../support/redis-server.ts';
import { runContract } from './run-contract.ts';

const skip = postgresSkipReason() || redisSkipReason();
let server: PostgresServer | undefined;
let admin: postgres.Sql | undefined;
let redis: RedisNode | undefined;
let counter = 0;

before(async () => {
  if (skip !== false) return;
  server = await startPostgres('contract-pair');
  admin = postgres(server.url, { max: 1, onnotice: () => {} });
  redis = await startRedis();
});

after(async () => {
  await admin?.end({ timeout: 1 });
  await server?.destroy();
  await redis?.stop();
});

runContract({
  name: 'postgres + redis',
  skip,
  async makeStore() {
    if (server === undefined || admin === undefined || redis === undefined) throw new Error('PostgreSQL or Redis is not running');
    const schema = `pair_${(counter += 1)}`;
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    const inner = await openPostgresStore({ url: server.url, schema, poolMax: 4 });
    let link: RedisLink;
    try {
      link = await openLink({ url: redis.url });
    } catch (error) {
      await inner.close();
      throw error;
    }
    // No quarantine: nothing else writes this schema, so no write is in flight to wait for.
    return wrapWithRedis(inner, link, { keyPrefix: `pair${counter}`, reloadQuarantineMs: 0 });
  },
});
