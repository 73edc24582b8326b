// Redis fails during a flash sale: a real `peakcart serve` process in the scale-out setup
// (PostgreSQL as the system of record, Redis for the holds, both real servers) sells
// a limited SKU to concurrent shoppers while Redis is (1) killed with -9 and started again on
// the same port, and (2) flushed with FLUSHALL. Every acknowledged order must be stored,
// nothing oversold, lost holds re-held at checkout or refused with a clear 409, requests while
// Redis is down answered 503 + Retry-After without hanging, and the server recovers by itself.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { checkoutBody, client, createProduct, type Reply } from '../support/client.ts';
import { allOrders, assertProblem, problemCode, waitFor } from '../support/http-helpers.ts';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../support/postgres-server.ts';
import { redisSkipReason, startRedis, type RedisNode } from '../support/redis-server.ts';
import { startChildServer, tempDir, type ChildServer } from '../support/server.ts';

const skip = redisSkipReason() || postgresSkipReason();
let postgres: PostgresServer | undefined;
const stockUnits = 40;
const shoppers = 120;
const holdTtlMs = 2_000;
/** Longest any reply may take: anything slower is a hang, not an answer. */
const replyMsMax = 10_000;
const retriesMax = 30;

const running: Array<{ server?: ChildServer; redis?: RedisNode; dir: { remove(): void } }> = [];
before(async () => {
  if (skip === false) postgres = await startPostgres('redis-faults');
});
after(async () => {
  await postgres?.destroy();
  for (const run of running) {
    await run.server?.kill('SIGKILL');
    await run.redis?.stop();
    run.dir.remove();
  }
});

interface Shopper {
  name: string;
  orderId?: string;
  token?: string;
  outcome?: string;
  replies: Array<{ status: number; ms: number; code: string | undefined; retryAfter: string | null }>;
}

async function timed(shopper: Shopper, call: () => Promise<Reply>): Promise<Reply> {
  const startedMs = Date.now();
  const reply = await call();
  shopper.replies.push({ status: reply.status, ms: Date.now() - startedMs, code: problemCode(reply), retryAfter: reply.headers.get('retry-after') });
  return reply;
}

/** Calls until the answer is not a 503, waiting as Retry-After says (at most 1 s) between tries. */
async function patiently(shopper: Shopper, call: () => Promise<Reply>): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    const reply = await timed(shopper, call);
    if (reply.status !== 503 || attempt >= retriesMax) return reply;
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Number(reply.headers.get('retry-after') ?? '1') * 1_000)));
  }
}

async function shop(baseUrl: string, shopper: Shopper, sku: string, startDelayMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, startDelayMs));
  const api = client(baseUrl);
  const cart = await patiently(shopper, () => api.post('/store/carts', {}));
  if (cart.status !== 201) return void (shopper.outcome = `cart ${cart.status}`);
  const line = await patiently(shopper, () => api.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 }));
  if (line.status !== 201) return void (shopper.outcome = `line ${line.status} ${problemCode(line)}`);
  // A moment in the cart, so that faults fall between holding and checking out.
  await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 300));
  const placed = await patiently(shopper, () =>
    api.post(`/store/carts/${cart.body.id}/checkout`, checkoutBody(`${shopper.name}@example.com`), { idempotencyKey: `sale-${shopper.name}` }),
  );
  shopper.outcome = placed.status === 201 ? 'ordered' : `checkout ${placed.status} ${problemCode(placed)}`;
  if (placed.status === 201) {
    shopper.orderId = placed.body.id;
    shopper.token = placed.body.token;
  }
}

async function flashSale(label: string, fault: (redis: RedisNode, probe: () => Promise<void>) => Promise<void>): Promise<void> {
  const dir = tempDir(`redis-${label}`);
  const run: (typeof running)[number] = { dir };
  running.push(run);
  const redis = await startRedis({ persistence: 'aof' });
  run.redis = redis;
  if (postgres === undefined) throw new Error('PostgreSQL did not start');
  const server = await startChildServer({
    PEAKCART_DATABASE_URL: await postgres.createDatabase(`faults_${label}`),
    PEAKCART_DB: join(dir.path, 'unused.db'),
    PEAKCART_REDIS_URL: redis.url,
    PEAKCART_REDIS_RELOAD_QUARANTINE_MS: '300',
    PEAKCART_CHECKOUT_HOLD_MIN_MS: String(holdTtlMs),
    PEAKCART_SWEEP_INTERVAL_MS: '100',
  });
  run.server = server;
  const api = client(server.url);
  const { sku } = await createProduct(api, { onHand: stockUnits, limited: true, holdAt: 'cart', holdTtlMs, purchaseLimitPerCustomer: 1 });

  // While Redis is out, a hold is refused at once with 503 + Retry-After (nothing is written).
  const probe = async () => {
    const cart = await api.post('/store/carts', {});
    assert.equal(cart.status, 201, 'carts live in PostgreSQL, not in Redis');
    const startedMs = Date.now();
    const line = await api.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 });
    assertProblem(line, 503, 'overloaded');
    assert.ok((line.headers.get('retry-after') ?? '').length > 0, 'a 503 says when to retry');
    assert.ok(Date.now() - startedMs < replyMsMax, 'the 503 came without a hang');
    assert.deepEqual((await api.get(`/store/carts/${cart.body.id}`)).body.lines, [], 'a refused hold adds no line');
  };

  const crowd = Array.from({ length: shoppers }, (_, index): Shopper => ({ name: `${label}-${index}`, replies: [] }));
  const sale = Promise.all(crowd.map((shopper, index) => shop(server.url, shopper, sku, (index / shoppers) * 2_000)));
  await new Promise((resolve) => setTimeout(resolve, 600));
  await fault(redis, probe);
  await sale;

  // The server never died and answers again by itself.
  assert.equal(server.process.exitCode, null, `the server exited:\n${server.output()}`);
  assert.equal((await api.get('/healthz')).status, 200);
  await waitFor('readiness', async () => ((await api.get('/readyz')).status === 200 ? true : undefined), 10_000);

  // No hang, and every 503 said when to come back; no 5xx other than 503.
  const replies = crowd.flatMap((shopper) => shopper.replies);
  assert.ok(Math.max(...replies.map((reply) => reply.ms)) < replyMsMax, 'a reply took too long');
  for (const reply of replies.filter((each) => each.status >= 500)) {
    assert.equal(reply.status, 503, `unexpected ${reply.status}`);
    assert.ok(reply.retryAfter !== null, 'a 503 without Retry-After');
  }
  const outcomes = new Map<string, number>();
  for (const shopper of crowd) outcomes.set(shopper.outcome ?? 'none', (outcomes.get(shopper.outcome ?? 'none') ?? 0) + 1);
  for (const outcome of outcomes.keys()) assert.match(outcome, /^(ordered|line 409 sold-out|checkout 409 sold-out)$/, `unexpected outcome: ${[...outcomes]}`);

  // Every acknowledged order is stored and readable with its token; nothing is oversold.
  const acknowledged = crowd.filter((shopper) => shopper.orderId !== undefined);
  assert.ok(acknowledged.length > 0, 'some orders were acknowledged');
  for (const shopper of acknowledged) {
    const reply = await api.get(`/store/orders/${shopper.orderId}`, { headers: { authorization: `Bearer ${shopper.token}` } });
    assert.equal(reply.status, 200, `acknowledged order ${shopper.orderId} is missing`);
  }
  const orders = await allOrders(api);
  const unitsSold = orders.flatMap((order) => order.lines).filter((line) => line.sku === sku).reduce((sum, line) => sum + line.quantity, 0);
  assert.ok(unitsSold <= stockUnits, `oversold: ${unitsSold} > ${stockUnits}`);
  assert.equal(orders.length, acknowledged.length, 'every stored order was acknowledged to its shopper');

  // Redis agrees with the store again (reloaded), and every hold ended by its TTL.
  const level = await waitFor(
    'held 0 and sold equal to the orders',
    async () => {
      const reply = await api.get(`/admin/stock/${sku}`, { admin: true });
      return reply.status === 200 && reply.body.held === 0 && reply.body.sold === unitsSold ? reply.body : undefined;
    },
    holdTtlMs + 8_000,
    100,
  );
  assert.ok(level.sold + level.held <= level.onHand);

  // After the fault, selling works as before: one more unit, one more order.
  assert.equal((await api.post(`/admin/stock/${sku}/movements`, { type: 'receive', quantity: 1, reason: 'after the fault' }, { admin: true })).status, 201);
  const late: Shopper = { name: `${label}-late`, replies: [] };
  await shop(server.url, late, sku, 0);
  assert.equal(late.outcome, 'ordered', JSON.stringify(late));

  const count503 = replies.filter((reply) => reply.status === 503).length;
  console.log(`redis ${label}: ${shoppers} shoppers, ${acknowledged.length} orders, ${unitsSold}/${stockUnits} units sold, ${count503} answers 503, outcomes ${JSON.stringify([...outcomes])}, slowest reply ${Math.max(...replies.map((r) => r.ms))} ms`);
  await server.kill('SIGTERM');
  run.server = undefined;
}

describe('Redis faults during a flash sale', { skip }, () => {
  it('survives Redis killed with -9 and started again on the same port', { timeout: 90_000 }, async () => {
    await flashSale('restart', async (redis, probe) => {
      await redis.kill('SIGKILL');
      await probe();
      await new Promise((resolve) => setTimeout(resolve, 800));
      await redis.start();
    });
  });

  it('survives FLUSHALL in the middle of the sale', { timeout: 90_000 }, async () => {
    await flashSale('flush', async (redis) => {
      const admin = new Redis({ host: '127.0.0.1', port: redis.port });
      try {
        assert.equal(await admin.flushall(), 'OK');
      } finally {
        admin.disconnect();
      }
    });
  });
});
