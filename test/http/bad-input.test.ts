// Promise 6 over real HTTP: bad input gets a clear RFC 9457 problem with a stable type, never a
// 5xx, and changes nothing (the cart, the stock ledger and the order list read the same after).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { checkoutBody, client, createProduct, shopperAddress, type Client, type Reply } from '../support/client.ts';
import { assertProblem, buy } from '../support/http-helpers.ts';
import { adminKey, startTestServer, type TestServer } from '../support/server.ts';

const injectionLike = ["' OR 1=1 --", '<script>alert(1)</script>', '../../etc/passwd', '\u0000', 'a\u0000b'];
const json = { 'content-type': 'application/json' };

describe('bad input', () => {
  let server: TestServer;
  let api: Client;
  let sku: string;
  let cartId: string;
  let emptyCartId: string;
  let lineId: string;
  /** An order of another shopper, for the order-reading cases. */
  let otherOrder: { id: string; token: string; email: string };

  before(async () => {
    server = await startTestServer();
    api = client(server.url);
    ({ sku } = await createProduct(api, { onHand: 20 }));
    const cart = await api.post('/store/carts', { email: 'shopper@example.com' });
    cartId = cart.body.id;
    const added = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 2 });
    assert.equal(added.status, 201);
    lineId = added.body.lines[0].id;
    emptyCartId = (await api.post('/store/carts', {})).body.id;
    const bought = await buy(api, sku, { email: 'other@example.com' });
    assert.equal(bought.checkout?.status, 201);
    otherOrder = { id: bought.checkout.body.id, token: bought.checkout.body.token, email: 'other@example.com' };
  });

  after(async () => {
    await server.stop();
  });

  /** Everything a bad request could have touched. */
  async function snapshot() {
    const [cart, emptyCart, stock, orders, products] = await Promise.all([
      api.get(`/store/carts/${cartId}`),
      api.get(`/store/carts/${emptyCartId}`),
      api.get(`/admin/stock/${sku}`, { admin: true }),
      api.get('/admin/orders?limit=100', { admin: true }),
      api.get('/admin/products?limit=100', { admin: true }),
    ]);
    return {
      cart: cart.body,
      emptyCart: emptyCart.body,
      stock: stock.body,
      orders: orders.body.items.map((order: any) => `${order.id}:${order.status}:${order.updatedAt}`),
      products: products.body.items.map((product: any) => `${product.id}:${product.updatedAt}`),
    };
  }

  /** Sends a bad request, checks the problem it gets, and that the shop reads the same after. */
  async function refused(send: () => Promise<Reply>, status: number, code?: string): Promise<Reply> {
    const before = await snapshot();
    const reply = await send();
    assertProblem(reply, status, code);
    assert.deepEqual(await snapshot(), before, 'a refused request changed the shop');
    return reply;
  }

  const addLine = (body: unknown) => api.post(`/store/carts/${cartId}/lines`, body);
  const checkoutRaw = (body: unknown) => api.post(`/store/carts/${cartId}/checkout`, body, { idempotencyKey: `bad-${Math.random()}` });

  describe('body format', () => {
    it('malformed JSON is 400 malformed-json', async () => {
      for (const rawBody of ['{"sku":', '{sku: "A", quantity: 1}', '{"sku":"A","quantity":1}x', "{'sku':'A'}", '[1,2', '\u0000']) {
        await refused(() => api.call('POST', `/store/carts/${cartId}/lines`, { rawBody, headers: json }), 400, 'malformed-json');
      }
      await refused(() => api.call('POST', `/store/carts/${cartId}/checkout`, { rawBody: '{"email": "a@b.c",', headers: json }), 400, 'malformed-json');
    });

    it('a body that is not JSON is 415 unsupported-media-type', async () => {
      const rawBody = JSON.stringify({ sku, quantity: 1 });
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
        await refused(() => api.call('POST', `/store/carts/${cartId}/lines`, { rawBody, headers: { 'content-type': contentType } }), 415, 'unsupported-media-type');
      }
      await refused(() => api.call('POST', `/store/carts/${cartId}/lines`, { rawBody: 'sku=A&quantity=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
    });

    it('a body over 64 KiB is 413 payload-too-large, declared or streamed', async () => {
      await refused(() => addLine({ sku, quantity: 1, padding: 'x'.repeat(65 * 1024) }), 413, 'payload-too-large');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), padding: 'x'.repeat(200 * 1024) }), 413, 'payload-too-large');
      // Chunked, without a Content-Length: the limit must hold while reading, not only on the header.
      await refused(async () => {
        const chunk = new TextEncoder().encode(`{"sku":"${sku}","quantity":1,"padding":"${'x'.repeat(16 * 1024)}`);
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 8) controller.enqueue(chunk);
            else {
              controller.enqueue(new TextEncoder().encode('"}'));
              controller.close();
            }
          },
        });
        const response = await fetch(`${server.url}/store/carts/${cartId}/lines`, { method: 'POST', headers: json, body, duplex: 'half' } as RequestInit);
        return { status: response.status, headers: response.headers, body: await response.json() };
      }, 413, 'payload-too-large');
    });

    it('a JSON body that is not an object is 4xx', async () => {
      for (const rawBody of ['null', '[]', '"sku"', '42', 'true', `[{"sku":"${sku}","quantity":1}]`]) {
        await refused(() => api.call('POST', `/store/carts/${cartId}/lines`, { rawBody, headers: json }), 422, 'validation');
      }
    });

    it('deeply nested JSON is refused without a crash', async () => {
      for (const rawBody of ['['.repeat(20_000) + ']'.repeat(20_000), '{"a":'.repeat(6_000) + '1' + '}'.repeat(6_000)]) {
        const reply = await api.call('POST', `/store/carts/${cartId}/lines`, { rawBody, headers: json });
        assert.ok(reply.status >= 400 && reply.status < 500, `status ${reply.status}`);
        assertProblem(reply, reply.status);
      }
      assert.equal((await api.get('/healthz')).status, 200);
    });

    it('an empty JSON body on a route with only optional fields creates with defaults', async () => {
      const reply = await api.call('POST', '/store/carts', { rawBody: '', headers: json });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.currency, 'USD');
      assert.deepEqual(reply.body.lines, []);
    });

    it('a POST without any body is never a 5xx', async () => {
      const bodiless: Array<[string, RequestInit]> = [
        ['/store/carts', { method: 'POST' }],
        ['/store/carts', { method: 'POST', headers: { 'content-type': 'text/plain' } }],
        [`/store/carts/${cartId}/lines`, { method: 'POST' }],
        [`/store/carts/${cartId}/checkout`, { method: 'POST' }],
        [`/admin/orders/${otherOrder.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } }],
      ];
      for (const [path, init] of bodiless) {
        const response = await fetch(server.url + path, init);
        const text = await response.text();
        assert.ok(response.status < 500, `${init.method} ${path} without a body answered ${response.status} ${text}`);
        if (response.status >= 400) assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, text);
      }
    });


    it('POST /store/carts without a body creates a cart, its fields being optional', async () => {
      const response = await fetch(`${server.url}/store/carts`, { method: 'POST' });
      const text = await response.text();
      assert.equal(response.status, 201, text);
      assert.equal(JSON.parse(text).currency, 'USD');
    });

    it('POST /admin/orders/{id}/cancel without a body cancels with the default reason', async () => {
      const bought = await buy(api, sku, { email: 'bodiless-cancel@example.com' });
      const orderId: string = bought.checkout?.body.id;
      const response = await fetch(`${server.url}/admin/orders/${orderId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      assert.equal(JSON.parse(text).status, 'refunded');
    });
  });

  describe('quantities', () => {
    for (const quantity of [-1, 0, 1.5, 1e12, -1e12, '1', '1; DROP TABLE carts', null, true, [1], { value: 1 }, 'NaN', 1e21]) {
      it(`quantity ${JSON.stringify(quantity)} is 422 validation`, async () => {
        await refused(() => addLine({ sku, quantity }), 422, 'validation');
      });
    }

    it('a missing quantity or sku is 422 validation', async () => {
      await refused(() => addLine({ sku }), 422, 'validation');
      await refused(() => addLine({ quantity: 1 }), 422, 'validation');
      await refused(() => addLine({}), 422, 'validation');
    });

    it('a line above the policy max of 100 is 409 over-limit, counting what the cart already has', async () => {
      const tooMany = await refused(() => addLine({ sku, quantity: 101 }), 409, 'over-limit');
      assert.equal(tooMany.body.max, 100);
      // The cart already has 2: 99 more make 101.
      await refused(() => addLine({ sku, quantity: 99 }), 409, 'over-limit');
      await refused(() => api.patch(`/store/carts/${cartId}/lines/${lineId}`, { quantity: 101 }), 409, 'over-limit');
    });

    it('more than the stock is 409 sold-out, all or nothing', async () => {
      const reply = await refused(() => addLine({ sku, quantity: 98 }), 409, 'sold-out');
      assert.equal(reply.body.shortages[0].sku, sku);
    });

    it('bad quantities on a line change are 422', async () => {
      for (const quantity of [-1, 2.5, '3', null, 1e12]) {
        await refused(() => api.patch(`/store/carts/${cartId}/lines/${lineId}`, { quantity }), 422, 'validation');
      }
    });
  });

  describe('unknown things', () => {
    it('unknown fields in a body are 422 validation', async () => {
      await refused(() => addLine({ sku, quantity: 1, unitPriceMinor: 0 }), 422, 'validation');
      const polluting = `{"sku":"${sku}","quantity":1,"__proto__":{"quantity":100},"constructor":{"prototype":{"admin":true}}}`;
      await refused(() => api.call('POST', `/store/carts/${cartId}/lines`, { rawBody: polluting, headers: json }), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), discountMinor: 1000 }), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), shippingAddress: { ...shopperAddress, isAdmin: true } }), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), payment: { token: 'tok_visa', amountMinor: 1 } }), 422, 'validation');
      await refused(() => api.post('/store/carts', { currency: 'USD', status: 'completed' }), 422, 'validation');
    });

    it('an unknown SKU is 422 unknown-sku', async () => {
      const reply = await refused(() => addLine({ sku: 'NO-SUCH-SKU', quantity: 1 }), 422, 'unknown-sku');
      assert.equal(reply.body.sku, 'NO-SUCH-SKU');
    });

    it('an unknown cart is 404 wherever it appears', async () => {
      const missing = 'cart_doesNotExist000000000';
      await refused(() => api.get(`/store/carts/${missing}`), 404, 'not-found');
      await refused(() => api.post(`/store/carts/${missing}/lines`, { sku, quantity: 1 }), 404, 'not-found');
      await refused(() => api.patch(`/store/carts/${missing}/lines/${lineId}`, { quantity: 1 }), 404, 'not-found');
      await refused(() => api.delete(`/store/carts/${missing}/lines/${lineId}`), 404, 'not-found');
      await refused(() => api.post(`/store/carts/${missing}/checkout`, checkoutBody('a@example.com'), { idempotencyKey: 'missing-cart' }), 404, 'not-found');
    });

    it('an unknown line is 404 and another cart id cannot reach this cart', async () => {
      await refused(() => api.patch(`/store/carts/${cartId}/lines/line_nope`, { quantity: 1 }), 404, 'not-found');
      await refused(() => api.delete(`/store/carts/${cartId}/lines/line_nope`), 404, 'not-found');
      // This cart's line through the other cart: that cart has no such line.
      await refused(() => api.delete(`/store/carts/${emptyCartId}/lines/${lineId}`), 404, 'not-found');
    });

    it('an unknown currency is 422', async () => {
      for (const currency of ['XXX', 'usd', 'US', 'JPY', '']) {
        await refused(() => api.post('/store/carts', { currency }), 422, 'validation');
      }
    });

    it('an unknown route is 404 route-not-found', async () => {
      await refused(() => api.get('/nope'), 404, 'route-not-found');
      await refused(() => api.get('/store/nope'), 404, 'route-not-found');
      await refused(() => api.post('/store/products', { slug: 'x' }), 404, 'route-not-found');
      await refused(() => api.get('/admin/nope', { admin: true }), 404, 'route-not-found');
    });
  });

  describe('overlong and hostile strings', () => {
    const long = 'A'.repeat(10_000);

    it('overlong strings are 422, never stored', async () => {
      await refused(() => addLine({ sku: long, quantity: 1 }), 422, 'validation');
      await refused(() => api.post('/store/carts', { email: `${'a'.repeat(10_000)}@example.com` }), 422, 'validation');
      await refused(() => checkoutRaw(checkoutBody(`${'a'.repeat(10_000)}@example.com`)), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), shippingAddress: { ...shopperAddress, name: long } }), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), shippingOption: long }), 422, 'validation');
      await refused(() => checkoutRaw(checkoutBody('a@example.com', long)), 422, 'validation');
      await refused(() => api.get(`/store/carts/${long}`), 422, 'validation');
      await refused(() => api.get(`/store/products/${long.toLowerCase()}`), 422, 'validation');
      await refused(() => api.get(`/store/products?q=${long}`), 422, 'validation');
      await refused(() => api.get(`/store/availability?sku=${long}`), 422, 'validation');
      await refused(() => api.get(`/store/orders/${otherOrder.id}`, { headers: { authorization: `Bearer ${'t'.repeat(1_000)}` } }), 422);
    });

    for (const hostile of injectionLike) {
      const shown = JSON.stringify(hostile);
      const path = encodeURIComponent(hostile);

      it(`${shown} as a SKU is 422`, async () => {
        await refused(() => addLine({ sku: hostile, quantity: 1 }), 422, 'validation');
        await refused(() => api.get(`/store/availability?sku=${path}`), 422, 'validation');
        await refused(() => api.get(`/admin/stock/${path}`, { admin: true }), 422, 'validation');
        await refused(() => api.put(`/admin/stock/${path}`, { onHand: 0 }, { admin: true }), 422, 'validation');
      });

      it(`${shown} as a cart id is 404`, async () => {
        await refused(() => api.get(`/store/carts/${path}`), 404, 'not-found');
        await refused(() => api.post(`/store/carts/${path}/lines`, { sku, quantity: 1 }), 404, 'not-found');
        await refused(() => api.post(`/store/carts/${path}/checkout`, checkoutBody('a@example.com'), { idempotencyKey: `hostile-${path}` }), 404, 'not-found');
      });

      it(`${shown} as a slug is 4xx`, async () => {
        const reply = await api.get(`/store/products/${path}`);
        assert.ok(reply.status === 404 || reply.status === 422, `status ${reply.status}`);
        assertProblem(reply, reply.status);
      });

      it(`${shown} as an order id or order token reads nothing`, async () => {
        await refused(() => api.get(`/store/orders/${path}`, { headers: { authorization: `Bearer ${otherOrder.token}` } }), 404, 'not-found');
        await refused(() => api.get(`/store/orders/${otherOrder.id}`, { headers: { authorization: `Bearer ${hostile.replace('\u0000', '%00')}` } }), 404, 'not-found');
      });

      it(`${shown} in a checkout address with a declined card is a clean 4xx and no order`, async () => {
        // Free text may hold odd characters; what matters is no 5xx and no order from a failed checkout.
        const before = await snapshot();
        const reply = await checkoutRaw({ ...checkoutBody('a@example.com', 'tok_decline'), shippingAddress: { ...shopperAddress, line1: hostile } });
        assert.ok(reply.status === 402 || reply.status === 422, `status ${reply.status}`);
        assertProblem(reply, reply.status);
        assert.deepEqual(await snapshot(), before);
      });

      it(`q=${shown} finds no products instead of all of them`, async () => {
        const all = await api.get('/store/products?limit=100');
        assert.ok(all.body.items.length > 0, 'the shop has products to leak');
        const reply = await api.get(`/store/products?q=${path}`);
        // Refusing the query outright is as good as finding nothing.
        if (reply.status === 422) assertProblem(reply, 422, 'validation');
        else {
          assert.equal(reply.status, 200);
          assert.deepEqual(reply.body.items, []);
        }
      });
    }

    it('LIKE wildcards in q are taken literally', async () => {
      for (const q of ['%', '_', '%%', '\\', '*']) {
        const reply = await api.get(`/store/products?q=${encodeURIComponent(q)}`);
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body.items, [], `q=${q} matched products`);
      }
    });

    // SQLite cuts text at a NUL when it reads it back: text with one must be refused or kept whole.
    it('catalog and stock text with NUL is refused or reads back exactly as sent', async () => {
      const created = await api.post(
        '/admin/products',
        { slug: 'nul-title', title: 'Nul\u0000Title', categorySlug: 'test-gear', variants: [{ sku: 'NUL-TITLE-1', prices: { USD: 100 } }] },
        { admin: true },
      );
      if (created.status === 201) {
        const read = await api.get(`/admin/products/${created.body.id}`, { admin: true });
        assert.equal(read.body.title, 'Nul\u0000Title', 'the stored title differs from what was accepted');
      } else {
        assertProblem(created, 422, 'validation');
      }
      const receipt = await refused(() => api.post(`/admin/stock/${sku}/movements`, { type: 'receive', quantity: 1, reason: 'box\u00001' }, { admin: true }), 422, 'validation');
      assert.match(receipt.body.detail, /reason/);
      await refused(() => api.put('/admin/categories/nul-category', { name: 'Nul\u0000Name' }, { admin: true }), 422, 'validation');
    });

    it('an address with NUL reads back exactly as sent', async () => {
      const cart = (await api.post('/store/carts', {})).body.id;
      await api.post(`/store/carts/${cart}/lines`, { sku, quantity: 1 });
      const address = { ...shopperAddress, line1: 'Flat 1\u0000B' };
      const placed = await api.post(`/store/carts/${cart}/checkout`, { ...checkoutBody('nul-address@example.com'), shippingAddress: address }, { idempotencyKey: 'nul-address' });
      if (placed.status === 201) {
        const read = await api.get(`/admin/orders/${placed.body.id}`, { admin: true });
        assert.equal(read.body.shippingAddress.line1, address.line1);
      } else {
        assertProblem(placed, 422, 'validation');
      }
    });

    it('a cancel reason with NUL is refused or kept whole in the ledger', async () => {
      const bought = await buy(api, sku, { email: 'nul-cancel@example.com' });
      const orderId: string = bought.checkout?.body.id;
      const cancelled = await api.post(`/admin/orders/${orderId}/cancel`, { reason: 'x\u0000y' }, { admin: true });
      if (cancelled.status === 200) {
        const ledger = await api.get(`/admin/stock/${sku}`, { admin: true });
        const returned = ledger.body.movements.find((movement: any) => movement.type === 'return' && movement.reference === orderId);
        assert.ok(returned.reason.includes('x\u0000y'), `the reason was stored as ${JSON.stringify(returned.reason)}`);
      } else {
        assertProblem(cancelled, 422, 'validation');
        assert.equal((await api.get(`/admin/orders/${orderId}`, { admin: true })).body.status, 'paid');
      }
    });
  });

  describe('admin authentication', () => {
    const attempts: Array<[string, Record<string, string>]> = [
      ['no key', {}],
      ['a wrong key of the same length', { authorization: `Bearer ${adminKey.slice(0, -1)}x` }],
      ['a longer key with the right prefix', { authorization: `Bearer ${adminKey}x` }],
      ['a shorter key, a prefix of the right one', { authorization: `Bearer ${adminKey.slice(0, 4)}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['the key without the scheme', { authorization: adminKey }],
      ['the key as Basic', { authorization: `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}` }],
      ['the key with a percent-encoded NUL appended', { authorization: `Bearer ${adminKey}%00` }],
    ];
    for (const [label, headers] of attempts) {
      it(`${label} is 401 on reads and writes`, async () => {
        const reads = await refused(() => api.get('/admin/orders', { headers }), 401, 'unauthorized');
        assert.match(reads.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.equal(reads.body.items, undefined);
        await refused(() => api.put(`/admin/stock/${sku}`, { onHand: 1000 }, { headers }), 401, 'unauthorized');
        await refused(() => api.post(`/admin/stock/${sku}/movements`, { type: 'receive', quantity: 5, reason: 'x' }, { headers }), 401, 'unauthorized');
        await refused(() => api.post(`/admin/orders/${otherOrder.id}/cancel`, {}, { headers }), 401, 'unauthorized');
        await refused(() => api.delete(`/admin/products/${'prod_x'}`, { headers }), 401, 'unauthorized');
        await refused(() => api.get('/admin/events', { headers }), 401, 'unauthorized');
      });
    }

    it('the right key works (the control for the cases above)', async () => {
      const reply = await api.get('/admin/orders', { admin: true });
      assert.equal(reply.status, 200);
      assert.ok(Array.isArray(reply.body.items));
    });
  });

  describe("another shopper's order", () => {
    function assertNotLeaked(reply: Reply) {
      const text = JSON.stringify(reply.body);
      assert.ok(!text.includes(otherOrder.email), 'the email leaked');
      assert.ok(!text.includes(shopperAddress.line1), 'the address leaked');
      assert.equal(reply.body.lines, undefined);
      assert.equal(reply.body.totals, undefined);
    }

    it('without a token is 404 and shows nothing of the order', async () => {
      assertNotLeaked(await refused(() => api.get(`/store/orders/${otherOrder.id}`), 404, 'not-found'));
      assertNotLeaked(await refused(() => api.get(`/store/orders/${otherOrder.id}`, { headers: { authorization: 'Bearer' } }), 404));
    });

    it("with someone else's token is 404 and shows nothing of the order", async () => {
      const mine = await buy(api, sku, { email: 'me@example.com' });
      assert.equal(mine.checkout?.status, 201);
      const myToken: string = mine.checkout.body.token;
      assertNotLeaked(await refused(() => api.get(`/store/orders/${otherOrder.id}`, { headers: { authorization: `Bearer ${myToken}` } }), 404, 'not-found'));
      // A token that differs only in its last character is no better.
      const near = otherOrder.token.slice(0, -1) + (otherOrder.token.endsWith('a') ? 'b' : 'a');
      assertNotLeaked(await refused(() => api.get(`/store/orders/${otherOrder.id}`, { headers: { authorization: `Bearer ${near}` } }), 404, 'not-found'));
      // The admin key is not an order token either.
      assertNotLeaked(await refused(() => api.get(`/store/orders/${otherOrder.id}`, { admin: true }), 404, 'not-found'));
      // And the owner's token still works.
      const own = await api.get(`/store/orders/${otherOrder.id}`, { headers: { authorization: `Bearer ${otherOrder.token}` } });
      assert.equal(own.status, 200);
      assert.equal(own.body.email, otherOrder.email);
      assert.equal(own.body.token, undefined, 'reading an order must not show its token again');
    });

    it("a completed cart's id does not lead into its order", async () => {
      const mine = await buy(api, sku, { email: 'cart-owner@example.com' });
      const cart = await api.get(`/store/carts/${mine.cartId}`);
      assert.equal(cart.status, 200);
      assert.equal(cart.body.status, 'completed');
      assert.equal(JSON.stringify(cart.body).includes(mine.checkout?.body.token), false, 'the cart shows the order token');
    });
  });

  describe('checkout refusals', () => {
    it('an empty cart is 422 cart-empty', async () => {
      await refused(() => api.post(`/store/carts/${emptyCartId}/checkout`, checkoutBody('a@example.com'), { idempotencyKey: 'empty-cart' }), 422, 'cart-empty');
    });

    it('an unknown shipping option is 422 shipping-unavailable', async () => {
      for (const shippingOption of ['teleport', 'STANDARD', "standard' --"]) {
        const reply = await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), shippingOption }), 422, 'shipping-unavailable');
        assert.ok(Array.isArray(reply.body.options));
      }
    });

    it('a malformed country code is 422 validation', async () => {
      for (const country of ['usa', 'us', 'U', '12', '', 'U$', 'DE\u0000']) {
        await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), shippingAddress: { ...shopperAddress, country } }), 422, 'validation');
      }
    });

    it('a well-formed country code that names no country is refused', async () => {
      for (const country of ['ZZ', 'XX', 'AA']) {
        // A cart of its own, so that the order this bug places does not complete the shared cart.
        const ownCart = (await api.post('/store/carts', {})).body.id;
        await api.post(`/store/carts/${ownCart}/lines`, { sku, quantity: 1 });
        const body = { ...checkoutBody('a@example.com'), shippingAddress: { ...shopperAddress, country } };
        await refused(() => api.post(`/store/carts/${ownCart}/checkout`, body, { idempotencyKey: `country-${country}` }), 422);
      }
    });

    it('missing or malformed checkout fields are 422 validation', async () => {
      const { shippingAddress: _address, ...noAddress } = checkoutBody('a@example.com');
      await refused(() => checkoutRaw(noAddress), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('not-an-email') }), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), payment: {} }), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), shippingAddress: { ...shopperAddress, name: '   ' } }), 422, 'validation');
      await refused(() => checkoutRaw({ ...checkoutBody('a@example.com'), shippingAddress: 'Main Street 1' }), 422, 'validation');
    });

    it('an unknown payment token is declined with 402 and no order', async () => {
      await refused(() => checkoutRaw(checkoutBody('a@example.com', 'tok_chargeback')), 402, 'payment-declined');
    });
  });

  describe('request ids', () => {
    it('every answer carries x-request-id, errors included', async () => {
      const replies = await Promise.all([
        api.get('/healthz'),
        api.get('/store/products'),
        api.get('/metrics'),
        api.get(`/store/carts/${cartId}`),
        api.get('/nope'),
        api.get('/admin/orders'),
        addLine({ sku, quantity: -1 }),
        api.call('POST', `/store/carts/${cartId}/lines`, { rawBody: '{', headers: json }),
      ]);
      for (const reply of replies) assert.ok((reply.headers.get('x-request-id') ?? '').length > 0, `no x-request-id on a ${reply.status}`);
      const ids = new Set(replies.map((reply) => reply.headers.get('x-request-id')));
      assert.equal(ids.size, replies.length, 'request ids repeat');
    });

    it('a sane incoming x-request-id is echoed, an unsafe one replaced', async () => {
      const echoed = await api.get('/healthz', { headers: { 'x-request-id': 'trace-123.abc' } });
      assert.equal(echoed.headers.get('x-request-id'), 'trace-123.abc');
      const unsafe = '<script>' + 'x'.repeat(100);
      const replaced = await api.get('/healthz', { headers: { 'x-request-id': unsafe } });
      assert.notEqual(replaced.headers.get('x-request-id'), unsafe);
      assert.ok((replaced.headers.get('x-request-id') ?? '').length > 0);
    });
  });

  describe('fuzz', () => {
    let fuzzCartId: string;
    let fuzzSku: string;

    before(async () => {
      ({ sku: fuzzSku } = await createProduct(api, { onHand: 1000 }));
      fuzzCartId = (await api.post('/store/carts', {})).body.id;
      assert.equal((await api.post(`/store/carts/${fuzzCartId}/lines`, { sku: fuzzSku, quantity: 1 })).status, 201);
    });

    function assertNo5xx(reply: Reply, sent: unknown) {
      assert.ok(reply.status < 500, `${reply.status} for ${JSON.stringify(sent)?.slice(0, 300)}: ${JSON.stringify(reply.body)}`);
      if (reply.status >= 400) assertProblem(reply, reply.status);
    }

    const anyValue = fc.jsonValue({ maxDepth: 3 });
    const oneOf = <T>(value: T) => fc.oneof(fc.constant(value), anyValue);

    it('random bodies to POST /store/carts/{id}/lines never give a 5xx', async () => {
      const lineBody = fc.oneof(
        anyValue,
        fc.record(
          {
            sku: fc.oneof(fc.constantFrom(fuzzSku, 'NOPE-1', ''), fc.string({ maxLength: 80 }), anyValue),
            quantity: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, 1, 100, 101, -1, 2 ** 53, 1e21), fc.string({ maxLength: 10 }), anyValue),
            extra: anyValue,
          },
          { requiredKeys: [] },
        ),
      );
      await fc.assert(
        fc.asyncProperty(lineBody, async (body) => {
          assertNo5xx(await api.post(`/store/carts/${fuzzCartId}/lines`, body), body);
        }),
        { numRuns: 150 },
      );
    });

    it('random bodies to POST /store/carts/{id}/checkout never give a 5xx', async () => {
      const address = fc.record(
        {
          name: oneOf(shopperAddress.name),
          line1: oneOf(shopperAddress.line1),
          city: oneOf(shopperAddress.city),
          postalCode: oneOf(shopperAddress.postalCode),
          country: fc.oneof(fc.constantFrom('US', 'DE', 'ZZ', 'us', ''), anyValue),
          line2: anyValue,
          region: anyValue,
          phone: anyValue,
        },
        { requiredKeys: [] },
      );
      const body = fc.oneof(
        anyValue,
        fc.record(
          {
            email: fc.oneof(fc.constantFrom('fuzz@example.com', 'not-email', ''), fc.emailAddress(), anyValue),
            shippingAddress: fc.oneof(address, anyValue),
            shippingOption: fc.oneof(fc.constantFrom('standard', 'express', 'teleport'), anyValue),
            // tok_visa stays out so the cart stays open and every run reaches the checks.
            payment: fc.oneof(fc.record({ token: fc.oneof(fc.constantFrom('tok_decline', 'tok_nope'), anyValue) }), anyValue),
          },
          { requiredKeys: [] },
        ),
      );
      await fc.assert(
        fc.asyncProperty(body, fc.option(fc.string({ minLength: 1, maxLength: 40 }).filter((key) => /^[\x21-\x7e]+$/.test(key))), async (sent, key) => {
          const reply = await api.post(`/store/carts/${fuzzCartId}/checkout`, sent, key === null ? {} : { idempotencyKey: key });
          assertNo5xx(reply, sent);
        }),
        { numRuns: 150 },
      );
    });

    it('random raw text sent as JSON never gives a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 })), fc.constantFrom('lines', 'checkout'), async (rawBody, target) => {
          const reply = await api.call('POST', `/store/carts/${fuzzCartId}/${target}`, { rawBody, headers: json });
          assertNo5xx(reply, rawBody);
        }),
        { numRuns: 100 },
      );
      const level = await api.get(`/admin/stock/${fuzzSku}`, { admin: true });
      assert.equal(level.body.sold, 0, 'a fuzzed checkout sold something');
      assert.ok(level.body.sold + level.body.held <= level.body.onHand);
    });
  });
});
