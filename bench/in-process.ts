// The order flow with no sockets and no generator: 256 shoppers hand their requests (create
// cart, add 1, check out with tok_visa and Idempotency-Keys) to the order fast path in this
// process, as the server's listener does once it has read a body, over the real embedded store
// (SQLite file, writer thread). It prints the CPU per order of each thread of the process, so a
// change to the fast path, the core or the store shows in the thread it costs, without the HTTP
// server's and the load generator's share of the same two cores.
//   npm run bench:in-process -- [--rounds 3] [--orders 8000] [--open-rate ORDERS_PER_S]
// With --open-rate the shoppers arrive on a schedule instead of 256 back to back: the open
// model costs the store more per order (smaller commits), and this shows how much, by thread.
// The shoppers' own work (a body made, an answer parsed for the cart id) is on the event loop
// too, a few microseconds an order: read the figures as a comparison of two trees in the same
// minutes, not as the server's.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { procStat } from './generator/server-cpu.ts';
import { createApp } from '../src/http/app.ts';
import { orderFastPath } from '../src/http/order-fast-path.ts';
import { loadConfig } from '../src/runtime/config.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { createPromMetrics } from '../src/runtime/metrics.ts';
import { nodeAppOptions, openShop, writeStatsOf } from '../src/runtime/node.ts';
import { checkoutBody, client, createProduct } from '../test/support/client.ts';
import { adminKey } from '../test/support/server.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, orders: { type: 'string', default: '8000' }, 'open-rate': { type: 'string' } } });
const rounds = Number(values.rounds);
const ordersPerRound = Number(values.orders);
const openRate = values['open-rate'] === undefined ? undefined : Number(values['open-rate']);
if (openRate !== undefined && !(openRate > 0)) throw new Error(`--open-rate must be a positive number, got ${values['open-rate']}`);
const shoppers = 256;

/** CPU microseconds so far of this process's threads, by role (Linux: /proc/self/task). */
function threadCpuUs(): Map<string, number> {
  const byRole = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return byRole;
  }
  for (const task of tasks) {
    const stat = procStat(`/proc/self/task/${task}/stat`);
    if (stat === null) continue; // The thread ended between the listing and the read.
    const { name, cpuUs } = stat;
    const role = name.startsWith('peakcart sqlite') ? 'writer' : name.startsWith('V8') ? 'gc' : task === String(process.pid) ? 'event loop' : 'other';
    byRole.set(role, (byRole.get(role) ?? 0) + cpuUs);
  }
  return byRole;
}

const dir = mkdtempSync(join(tmpdir(), 'peakcart-in-process-'));
const config = loadConfig({
  PEAKCART_DB: join(dir, 'peakcart.db'),
  PEAKCART_ADMIN_KEY: adminKey,
  PEAKCART_CART_IN_FLIGHT_MAX: '4096',
  PEAKCART_CHECKOUT_IN_FLIGHT_MAX: '4096',
  PEAKCART_LOG_LEVEL: 'error',
});
const { shop, store } = await openShop(config);
const metrics = createPromMetrics(writeStatsOf(store));
const options = nodeAppOptions(config, { shop, store }, { adminKey, metrics, logger: createLogger('error'), isReady: () => true });
const app = createApp(options);
const orders = orderFastPath(options);

// The product is made through the app (the Admin API), as the bench makes its SKUs.
const api = client('http://127.0.0.1', (url, init) => app.fetch(new Request(url, init)));
const { sku } = await createProduct(api, { onHand: 100_000_000, limited: true, holdAt: 'cart', holdTtlMs: 600_000 });
let started = 0;

/** One POST of the flow, as the server's listener hands it to the fast path once its body is read. */
async function post(path: string, body: object, key: string): Promise<{ status: number; body: string }> {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'idempotency-key': key };
  const ticket = orders({ method: 'POST', url: path, header: (name) => headers[name] });
  // Every request of this flow is a plain one: one the path left would be measuring the app instead.
  if (ticket === undefined) throw new Error(`the order fast path left POST ${path}`);
  const answer = await ticket.answer(text);
  if (answer === undefined) throw new Error(`the order fast path handed POST ${path} back`);
  return { status: answer.status, body: typeof answer.body === 'string' ? answer.body : '' };
}

async function order(index: number): Promise<void> {
  const key = `probe-${index}`;
  const email = `${key}@example.com`;
  const cart = await post('/store/carts', { currency: 'USD', email }, `${key}-cart`);
  const cartId = cart.status === 201 ? (JSON.parse(cart.body) as { id: string }).id : '';
  const added = await post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 }, `${key}-line`);
  const placed = await post(`/store/carts/${cartId}/checkout`, checkoutBody(email), key);
  if (cart.status !== 201 || added.status !== 201 || placed.status !== 201) throw new Error(`order ${index}: ${cart.status} ${added.status} ${placed.status}`);
}

/** 256 shoppers back to back until `orders` are placed. */
async function closedLoop(orders: number): Promise<void> {
  const end = started + orders;
  await Promise.all(
    Array.from({ length: shoppers }, async () => {
      while (started < end) await order(started++);
    }),
  );
}

/** One shopper every 1/rate seconds, however long the earlier ones take. */
async function openLoop(orders: number, ratePerS: number): Promise<void> {
  const running: Promise<void>[] = [];
  const startedAt = performance.now();
  for (let i = 0; i < orders; i++) {
    const waitMs = startedAt + (i * 1000) / ratePerS - performance.now();
    if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
    running.push(order(started++));
  }
  await Promise.all(running);
}

async function round(label: string, orders: number): Promise<void> {
  const threadsBefore = threadCpuUs();
  const cpuBefore = process.cpuUsage();
  const statsBefore = writeStatsOf(store);
  // A copy: the store's counters keep moving.
  const writesBefore = statsBefore && { transactions: statsBefore.transactions, operations: statsBefore.operations };
  const startedAt = performance.now();
  await (openRate === undefined ? closedLoop(orders) : openLoop(orders, openRate));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - startedAt) / 1000;
  const perThread = [...threadCpuUs()]
    .map(([role, us]): [string, number] => [role, Math.round((us - (threadsBefore.get(role) ?? 0)) / orders)])
    .filter(([, us]) => us > 0)
    .map(([role, us]) => `${role} ${us}`)
    .join(', ');
  const writes = writeStatsOf(store);
  const perCommit = writes === undefined || writesBefore === undefined ? '' : `, ${((writes.operations - writesBefore.operations) / Math.max(1, writes.transactions - writesBefore.transactions)).toFixed(1)} writes per commit`;
  console.log(`${label}: ${Math.round(orders / seconds)} orders/s, ${Math.round((cpu.user + cpu.system) / orders)} µs CPU per order (${perThread})${perCommit}`);
}

try {
  // The first orders compile the code and grow the file: measured apart, then left out.
  await round('warm-up', Math.ceil(ordersPerRound / 2));
  for (let index = 1; index <= rounds; index++) await round(`round ${index}`, ordersPerRound);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
