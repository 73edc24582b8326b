// Node answers the order flow's writes before the Hono app (src/http/order-fast-path.ts). Two
// shops that start alike and make the same ids at the same instant get the same requests: one
// behind the fast paths, one behind the app alone. Every answer must be the same bytes with the
// same headers, the metrics must count the same, and the requests the fast path leaves (or hands
// back after reading the body) must reach the app, which answers them as before.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { createTestPaymentProvider } from '../../src/adapters/payments/test-provider.ts';
import { DomainError } from '../../src/core/errors.ts';
import type { Ids } from '../../src/core/ports.ts';
import { createShop } from '../../src/core/shop.ts';
import { createApp } from '../../src/http/app.ts';
import { catalogFastPath } from '../../src/http/catalog-fast-path.ts';
import { admissionGates, type AdmissionGates } from '../../src/http/middleware/admission.ts';
import { orderFastPath } from '../../src/http/order-fast-path.ts';
import { noMetrics, silentLogger, type HttpMetrics } from '../../src/http/ports.ts';
import { loadConfig } from '../../src/runtime/config.ts';
import { serverWithFastPaths } from '../../src/runtime/fast-paths.ts';
import { checkoutBody } from '../support/client.ts';
import { rawRequest } from '../support/raw-http.ts';
import { adminKey, tempDir } from '../support/server.ts';

const storefrontOrigin = 'http://shop.test';
const nowMs = Date.UTC(2026, 11, 1, 12, 0, 0);
const inFlightMax = { checkout: 4, cart: 4, admin: 4 };

/** Ids from a counter: two shops given the same requests make the same ones. */
function countingIds(): Ids {
  let next = 0;
  const serial = () => String(++next).padStart(8, '0');
  return {
    newId: (prefix) => `${prefix}_${serial()}`,
    newSecret: () => `secret${serial()}`,
    hashSecret: async (secret) => createHash('sha256').update(secret).digest('hex'),
  };
}

/** Every metric call, in order, so the two sides' counts can be compared. */
function recordingMetrics(): HttpMetrics & { calls: string[] } {
  const calls: string[] = [];
  return {
    ...noMetrics,
    calls,
    observeRequest: (method, route, status) => calls.push(`request ${method} ${route} ${status}`),
    countOrder: (currency, totalMinor) => calls.push(`order ${currency} ${totalMinor}`),
    countHold: (sku) => calls.push(`hold ${sku}`),
    countStockOut: (sku) => calls.push(`stock-out ${sku}`),
  };
}

interface Side {
  url: string;
  metrics: ReturnType<typeof recordingMetrics>;
  gates: AdmissionGates;
  /** Requests that reached the app's fetch. */
  appCalls: number;
  /** While set, the idempotency claim and the cart's creation fail as in a store that lost its database. */
  storeDown: boolean;
  names: IdNames;
  stop(): Promise<void>;
}

async function startSide(withFastPaths: boolean): Promise<Side> {
  const side: Side = { url: '', metrics: recordingMetrics(), gates: admissionGates(inFlightMax), appCalls: 0, storeDown: false, names: idNames(), stop: async () => {} };
  const dir = tempDir('fast-orders');
  const store = await openSqliteStore({ path: `${dir.path}/peakcart.db` });
  const begin = store.idempotency.begin.bind(store.idempotency);
  store.idempotency.begin = (...args) => (side.storeDown ? Promise.reject(new DomainError('store-unavailable', 'The database does not answer.')) : begin(...args));
  // The fast path claims a new cart's key in the cart's own write (SQLite claims in its writes).
  const createCart = store.carts.createCart.bind(store.carts);
  store.carts.createCart = (...args) => (side.storeDown ? Promise.reject(new DomainError('store-unavailable', 'The database does not answer.')) : createCart(...args));
  const config = loadConfig({ PEAKCART_DB: `${dir.path}/peakcart.db`, PEAKCART_ADMIN_KEY: adminKey });
  const shop = createShop({ store, clock: { nowMs: () => nowMs }, ids: countingIds(), payments: createTestPaymentProvider(), config: config.shop });
  const metrics = recordingMetrics();
  const gates = admissionGates(inFlightMax);
  const options = {
    shop,
    adminKey,
    metrics,
    logger: silentLogger,
    corsOrigins: [storefrontOrigin],
    bodyBytesMax: 4_096,
    inFlightMax,
    gates,
    isReady: () => true,
    pingStore: async () => {},
  };
  const app = createApp(options);
  side.metrics = metrics;
  side.gates = gates;
  const fetch = (request: Request, env: unknown) => {
    side.appCalls++;
    return app.fetch(request, env);
  };
  const listener = getRequestListener(fetch);
  const server: Server = withFastPaths
    ? serverWithFastPaths({ catalog: catalogFastPath({ shop, corsOrigins: [storefrontOrigin], compress: undefined }), orders: orderFastPath(options), fetch, metrics })({}, listener)
    : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  side.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  side.stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    dir.remove();
  };
  return side;
}

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Ids by the order in which a shop first answered with them. The fast path may draw ids for a
 * request the app then answers (a replay whose claim its write found taken), so the two shops'
 * counters drift apart; which id appears where must still be the same.
 */
interface IdNames {
  /** The text with every id replaced by its name. */
  named(text: string): string;
  /** The text with every name replaced by the id it stands for. */
  ids(text: string): string;
}

const idPattern = /\b(?:[a-z]+_|secret)\d{8}\b/g;
const namePattern = /\b(?:[a-z]+_|secret)N\d+\b/g;

function idNames(): IdNames {
  const nameOf = new Map<string, string>();
  const idOf = new Map<string, string>();
  return {
    named: (text) =>
      text.replace(idPattern, (id) => {
        let name = nameOf.get(id);
        if (name === undefined) {
          name = `${id.slice(0, -8)}N${nameOf.size + 1}`;
          nameOf.set(id, name);
          idOf.set(name, id);
        }
        return name;
      }),
    ids: (text) => text.replace(namePattern, (name) => idOf.get(name) ?? name),
  };
}

/** Headers that belong to the connection, not to the answer. */
const transportHeaders = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** Sends with the side's own ids for the names in path and body; answers with names for its ids. */
async function send(side: Side, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Raw> {
  const { named, ids } = side.names;
  const raw = await rawRequest(side.url, method, ids(path), headers, typeof body === 'string' ? ids(body) : body);
  const kept = Object.entries(raw.headers).filter(([name]) => !transportHeaders.has(name));
  const sorted = kept.sort(([x], [y]) => x.localeCompare(y)).map(([name, value]) => [name, named(value)]);
  return { status: raw.status, headers: Object.fromEntries(sorted), body: named(raw.body.toString('utf8')) };
}

const json = { 'content-type': 'application/json', 'x-request-id': 'req-1' };
const admin = { ...json, authorization: `Bearer ${adminKey}` };

describe('the order fast path', () => {
  let fast: Side;
  let plain: Side;

  /** Sends the request to both shops; asserts the same answer and says whether the fast side's app saw it. */
  async function both(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<{ answer: Raw; reachedApp: boolean }> {
    const appCallsBefore = fast.appCalls;
    const fromFast = await send(fast, method, path, headers, body);
    const fromPlain = await send(plain, method, path, headers, body);
    assert.deepEqual(fromFast, fromPlain, `${method} ${path}`);
    // Overload and a lost database are the 5xx a shop sends on purpose; tests below cause both.
    assert.ok(fromFast.status < 500 || /\/problems\/(overloaded|store-unavailable)"/.test(fromFast.body), `${method} ${path} answered ${fromFast.status}`);
    return { answer: fromFast, reachedApp: fast.appCalls > appCallsBefore };
  }

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => both('POST', path, { ...json, ...headers }, JSON.stringify(body));

  before(async () => {
    fast = await startSide(true);
    plain = await startSide(false);
    await both('PUT', '/admin/categories/gear', admin, JSON.stringify({ name: 'Gear', description: 'Things', position: 1 }));
    for (const [sku, limited] of [
      ['PLAIN-1', false],
      ['DROP-1', true],
    ] as const) {
      const variant = { sku, title: 'One size', prices: { USD: 2500 }, limited, holdAt: 'cart', holdTtlMs: 600_000 };
      const created = await both('POST', '/admin/products', admin, JSON.stringify({ slug: sku.toLowerCase(), title: sku, categorySlug: 'gear', variants: [variant] }));
      assert.equal(created.answer.status, 201, created.answer.body);
      const received = await both('POST', `/admin/stock/${sku}/movements`, admin, JSON.stringify({ type: 'receive', quantity: 3, reason: 'test' }));
      assert.equal(received.answer.status, 201, received.answer.body);
    }
  });
  after(async () => {
    await fast?.stop();
    await plain?.stop();
  });

  it('answers a whole order flow itself, byte for byte as the app, replays through the app', async () => {
    const created = await post('/store/carts', { currency: 'USD', email: 'ada@example.com' }, { 'idempotency-key': 'flow-cart', origin: storefrontOrigin });
    assert.equal(created.answer.status, 201);
    assert.equal(created.reachedApp, false);
    assert.equal(created.answer.headers['access-control-allow-origin'], storefrontOrigin);
    assert.equal(created.answer.headers['cache-control'], 'no-store');
    const cartId = (JSON.parse(created.answer.body) as { id: string }).id;

    const replayed = await post('/store/carts', { currency: 'USD', email: 'ada@example.com' }, { 'idempotency-key': 'flow-cart' });
    assert.equal(replayed.answer.status, 201);
    assert.equal(replayed.answer.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.reachedApp, true);
    const reused = await post('/store/carts', { currency: 'EUR' }, { 'idempotency-key': 'flow-cart' });
    assert.equal(reused.answer.status, 422);
    assert.equal(reused.reachedApp, true);

    const added = await post(`/store/carts/${cartId}/lines`, { sku: 'DROP-1', quantity: 1 }, { 'idempotency-key': 'flow-line' });
    assert.equal(added.answer.status, 201);
    assert.equal(added.reachedApp, false);
    const placed = await post(`/store/carts/${cartId}/checkout`, checkoutBody('ada@example.com'), { 'idempotency-key': 'flow-order' });
    assert.equal(placed.answer.status, 201, placed.answer.body);
    assert.equal(placed.reachedApp, false);
    const again = await post(`/store/carts/${cartId}/checkout`, checkoutBody('ada@example.com'), { 'idempotency-key': 'flow-order' });
    assert.equal(again.answer.headers['idempotent-replayed'], 'true');
    assert.equal(again.answer.body, placed.answer.body);
    const completed = await post(`/store/carts/${cartId}/checkout`, checkoutBody('ada@example.com'), { 'idempotency-key': 'flow-order-2' });
    assert.equal(completed.answer.status, 409);
    assert.equal(completed.reachedApp, false);
    assert.deepEqual(fast.metrics.calls, plain.metrics.calls);
  });

  it('answers domain failures with the same problems, and keeps them for replays', async () => {
    const cartId = (JSON.parse((await post('/store/carts', { currency: 'USD' })).answer.body) as { id: string }).id;
    const unknownSku = await post(`/store/carts/${cartId}/lines`, { sku: 'NOPE-1', quantity: 1 }, { 'idempotency-key': 'unknown-sku' });
    assert.equal(unknownSku.answer.status, 422);
    assert.equal(unknownSku.reachedApp, false);
    const replayed = await post(`/store/carts/${cartId}/lines`, { sku: 'NOPE-1', quantity: 1 }, { 'idempotency-key': 'unknown-sku' });
    assert.equal(replayed.answer.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.answer.body, unknownSku.answer.body);

    const soldOut = await post(`/store/carts/${cartId}/lines`, { sku: 'DROP-1', quantity: 3 }, { 'idempotency-key': 'sold-out' });
    assert.equal(soldOut.answer.status, 409);
    assert.match(soldOut.answer.body, /sold-out/);
    assert.equal(soldOut.reachedApp, false);
    const empty = await post(`/store/carts/${cartId}/checkout`, checkoutBody('ada@example.com'));
    assert.equal(empty.answer.status, 422);
    const missing = await post('/store/carts/cart_nothere/lines', { sku: 'PLAIN-1', quantity: 1 });
    assert.equal(missing.answer.status, 404);
    assert.equal(missing.reachedApp, false);

    await post(`/store/carts/${cartId}/lines`, { sku: 'PLAIN-1', quantity: 1 });
    const declined = await post(`/store/carts/${cartId}/checkout`, checkoutBody('ada@example.com', 'tok_decline'), { 'idempotency-key': 'declined' });
    assert.equal(declined.answer.status, 402);
    assert.equal(declined.reachedApp, false);
    // No key: the checkout still places one order, answered by the fast path.
    const unkeyed = await post(`/store/carts/${cartId}/checkout`, { ...checkoutBody('zoe@example.com'), shippingAddress: { name: 'Zoë Ørsted', line1: '1 Gade', city: 'Århus', postalCode: '8000', country: 'DK' } });
    assert.equal(unkeyed.answer.status, 201, unkeyed.answer.body);
    assert.equal(unkeyed.reachedApp, false);
    assert.deepEqual(fast.metrics.calls, plain.metrics.calls);
  });

  it('hands back what it only sees is unusual once the body is read, and leaves the rest to the app untouched', async () => {
    const handedBack = [
      await both('POST', '/store/carts', json, '{"currency": '),
      await post('/store/carts', { currency: 'USD', colour: 'red' }),
      await post('/store/carts/cart_x/lines', { sku: 'PLAIN-1', quantity: 0 }),
      await post('/store/carts/cart_x/checkout', { email: 'not an email' }),
    ];
    for (const { answer, reachedApp } of handedBack) {
      assert.ok(answer.status === 400 || answer.status === 422, answer.body);
      assert.equal(reachedApp, true);
    }
    const left = [
      await both('POST', '/store/carts', { ...json, 'content-type': 'text/plain' }, '{}'),
      await both('POST', '/store/carts', { ...json, 'idempotency-key': 'has space' }, '{}'),
      await both('POST', '/store/carts/a%20b/lines', json, JSON.stringify({ sku: 'PLAIN-1', quantity: 1 })),
      await both('POST', '/store/carts?x=1', json, '{}'),
      await both('POST', '/store/carts', { ...json, 'content-length': '9999' }, 'x'.repeat(9_999)),
      await both('POST', '/store/carts', { 'x-request-id': 'req-1' }),
    ];
    for (const { answer, reachedApp } of left) {
      assert.ok(answer.status < 500, answer.body);
      assert.equal(reachedApp, true);
    }
    // Only white space: not JSON to the fast path, no body to the app, which makes a cart.
    const blank = await both('POST', '/store/carts', json, ' ');
    assert.equal(blank.answer.status, 201);
    assert.equal(blank.reachedApp, true);
    // The charset parameter both readers accept, with and without its space.
    for (const type of ['application/json; charset=utf-8', 'application/json;charset=utf-8']) {
      const withCharset = await both('POST', '/store/carts', { ...json, 'content-type': type }, '{"currency":"EUR"}');
      assert.equal(withCharset.answer.status, 201, type);
      assert.equal(withCharset.reachedApp, false, type);
    }
    // A leading byte-order mark is dropped by both readers, so the same cart is made.
    const withBom = await both('POST', '/store/carts', json, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"currency":"USD"}')]));
    assert.equal(withBom.answer.status, 201);
    assert.equal(withBom.reachedApp, false);
    assert.deepEqual(fast.metrics.calls, plain.metrics.calls);
  });

  it('answers a store that fails while claiming the key as the app does: 503, and the retry runs', async () => {
    fast.storeDown = true;
    plain.storeDown = true;
    let down: Awaited<ReturnType<typeof post>>;
    try {
      down = await post('/store/carts', { currency: 'USD' }, { 'idempotency-key': 'while-down' });
    } finally {
      fast.storeDown = false;
      plain.storeDown = false;
    }
    assert.equal(down.answer.status, 503);
    assert.equal(down.answer.headers['retry-after'], '1');
    assert.equal(down.reachedApp, false);
    const retried = await post('/store/carts', { currency: 'USD' }, { 'idempotency-key': 'while-down' });
    assert.equal(retried.answer.status, 201);
    assert.equal(retried.answer.headers['idempotent-replayed'], undefined);
    // Hono labels an answer its middleware gave with the middleware's pattern (`/store/*`); the
    // fast path names the route. The rest of what both counted is the same.
    assert.deepEqual(fast.metrics.calls.slice(-2), ['request POST /store/carts 503', 'request POST /store/carts 201']);
    assert.deepEqual(plain.metrics.calls.slice(-2), ['request POST /store/* 503', 'request POST /store/carts 201']);
    fast.metrics.calls.splice(-2, 1);
    plain.metrics.calls.splice(-2, 1);
    assert.deepEqual(fast.metrics.calls, plain.metrics.calls);
  });

  it('counts into the app admission gate and gives its place back when the client leaves mid-body', async () => {
    assert.equal(fast.gates.cart.inFlight, 0);
    const socket = connect(Number(new URL(fast.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /store/carts HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"curr');
    for (let i = 0; i < 50 && fast.gates.cart.inFlight === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(fast.gates.cart.inFlight, 1, 'the request waiting for its body holds a cart place');
    socket.destroy();
    for (let i = 0; i < 50 && fast.gates.cart.inFlight !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(fast.gates.cart.inFlight, 0);

    // A full gate leaves the request to the app, which turns it away as before.
    fast.gates.cart.inFlight = inFlightMax.cart;
    plain.gates.cart.inFlight = inFlightMax.cart;
    try {
      const refused = await post('/store/carts', { currency: 'USD' });
      assert.equal(refused.answer.status, 503);
      assert.equal(refused.answer.headers['retry-after'], '1');
      assert.equal(refused.reachedApp, true);
    } finally {
      fast.gates.cart.inFlight = 0;
      plain.gates.cart.inFlight = 0;
    }
  });

  it('takes one place of the budget per request, whichever of the two answers it', async () => {
    const cartId = (JSON.parse((await post('/store/carts', { currency: 'USD' })).answer.body) as { id: string }).id;
    // One place left: a route that counted a request twice would turn it away.
    fast.gates.cart.inFlight = inFlightMax.cart - 1;
    plain.gates.cart.inFlight = inFlightMax.cart - 1;
    try {
      const added = await post(`/store/carts/${cartId}/lines`, { sku: 'PLAIN-1', quantity: 1 });
      assert.equal(added.answer.status, 201, added.answer.body);
      const changed = await both('PATCH', `/store/carts/${cartId}/lines/${(JSON.parse(added.answer.body) as { lines: Array<{ id: string }> }).lines[0]?.id}`, json, JSON.stringify({ quantity: 2 }));
      assert.equal(changed.answer.status, 200, changed.answer.body);
    } finally {
      fast.gates.cart.inFlight = 0;
      plain.gates.cart.inFlight = 0;
    }
    assert.deepEqual(fast.metrics.calls, plain.metrics.calls);
  });

  // Last: it talks to the fast shop alone, so the two shops' ids and metrics part ways here.
  it('lets one of many requests sent at once with a key make the change, and replays it to the others', async () => {
    const restocked = await send(fast, 'POST', '/admin/stock/PLAIN-1/movements', admin, JSON.stringify({ type: 'receive', quantity: 10, reason: 'test' }));
    assert.equal(restocked.status, 201, restocked.body);
    const sendFast = (path: string, body: unknown) => send(fast, 'POST', path, { ...json, 'idempotency-key': `at-once ${path}`.replaceAll(' ', '-') }, JSON.stringify(body));
    const created = await Promise.all(Array.from({ length: inFlightMax.cart }, () => sendFast('/store/carts', { currency: 'USD' })));
    assert.deepEqual(created.map((answer) => answer.status), Array(inFlightMax.cart).fill(201));
    assert.equal(new Set(created.map((answer) => answer.body)).size, 1);
    assert.equal(created.filter((answer) => answer.headers['idempotent-replayed'] !== 'true').length, 1);
    const cartId = (JSON.parse(created[0]?.body ?? '') as { id: string }).id;

    const added = await Promise.all(Array.from({ length: inFlightMax.cart }, () => sendFast(`/store/carts/${cartId}/lines`, { sku: 'PLAIN-1', quantity: 1 })));
    assert.deepEqual(added.map((answer) => answer.status), Array(inFlightMax.cart).fill(201), added.map((answer) => answer.body).join("\n"));
    assert.equal(new Set(added.map((answer) => answer.body)).size, 1);
    assert.equal(added.filter((answer) => answer.headers['idempotent-replayed'] !== 'true').length, 1);
    const read = await send(fast, 'GET', `/store/carts/${cartId}`, json);
    assert.deepEqual((JSON.parse(read.body) as { lines: Array<{ quantity: number }> }).lines.map((line) => line.quantity), [1]);

    // The checkout claims its key in the order's write: the others find it taken and are answered
    // by the app, from the one order's kept answer.
    const placed = await Promise.all(Array.from({ length: inFlightMax.checkout }, () => sendFast(`/store/carts/${cartId}/checkout`, checkoutBody('ada@example.com'))));
    assert.deepEqual(placed.map((answer) => answer.status), Array(inFlightMax.checkout).fill(201), placed.map((answer) => answer.body).join("\n"));
    assert.equal(new Set(placed.map((answer) => answer.body)).size, 1);
    assert.equal(placed.filter((answer) => answer.headers['idempotent-replayed'] !== 'true').length, 1);
    const completed = await send(fast, 'GET', `/store/carts/${cartId}`, json);
    assert.equal((JSON.parse(completed.body) as { orderId: string }).orderId, (JSON.parse(placed[0]?.body ?? '') as { id: string }).id);
  });
});
