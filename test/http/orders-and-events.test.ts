// Orders after checkout over real HTTP: the state machine (paid, fulfilled, cancelled and
// refunded, with illegal moves refused), the event feed, signed webhooks delivered at least
// once with retries, and the merchant's stock movements that may never break a sale or hold.

import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { client, createProduct, type Client } from '../support/client.ts';
import { assertProblem, buy, stockLevel, waitFor } from '../support/http-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  answeredStatus: number;
}

/** A webhook receiver on 127.0.0.1 that records every delivery and answers `answer(n)` to the n-th. */
async function startReceiver(answer: (attempt: number) => number = () => 200): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answeredStatus = answer(deliveries.length);
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answeredStatus });
      response.writeHead(answeredStatus, { 'content-type': 'text/plain' }).end(answeredStatus === 200 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/peakcart`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function signatureHeaders(delivery: Delivery): Record<string, string> {
  const header = (name: string) => String(delivery.headers[name] ?? '');
  return { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') };
}

describe('orders and events', () => {
  let server: TestServer;
  let api: Client;
  let emailCounter = 0;
  const receivers: Array<{ close(): Promise<void> }> = [];

  before(async () => {
    server = await startTestServer({ PEAKCART_RELAY_INTERVAL_MS: '50' });
    api = client(server.url);
  });

  after(async () => {
    await server.stop();
    for (const receiver of receivers) await receiver.close();
  });

  const nextEmail = () => `orders-${++emailCounter}@example.com`;

  async function placeOrder(sku: string, quantity: number): Promise<{ id: string; number: number; token: string; email: string }> {
    const email = nextEmail();
    const bought = await buy(api, sku, { email, quantity });
    assert.equal(bought.checkout?.status, 201, JSON.stringify(bought.checkout?.body ?? bought.add.body));
    const { id, number, token, status } = bought.checkout.body;
    assert.equal(status, 'paid');
    return { id, number, token, email };
  }

  async function allEvents(): Promise<any[]> {
    const events: any[] = [];
    let after = '0';
    for (let page = 0; page < 100; page++) {
      const reply = await api.get(`/admin/events?after=${after}&limit=100`, { admin: true });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      if (reply.body.items.length === 0) return events;
      events.push(...reply.body.items);
      after = reply.body.nextCursor;
    }
    throw new Error('the event feed did not end');
  }

  const eventsOf = async (orderId: string) => (await allEvents()).filter((event) => event.data.order.id === orderId);

  describe('the order state machine', () => {
    it('checkout makes a paid order that its token reads', async () => {
      const { sku, slug } = await createProduct(api, { onHand: 5 });
      const order = await placeOrder(sku, 2);
      const read = await api.get(`/store/orders/${order.id}`, { headers: { authorization: `Bearer ${order.token}` } });
      assert.equal(read.status, 200);
      assert.equal(read.body.id, order.id);
      assert.equal(read.body.number, order.number);
      assert.equal(read.body.status, 'paid');
      assert.equal(read.body.payment.captured, true);
      assert.equal(read.body.lines[0].quantity, 2);
      assert.equal(read.body.lines[0].title, `Test product ${slug.slice('test-product-'.length)} - One size`);
      assert.equal(read.body.totals.subtotalMinor, 2000);
      assert.equal(read.body.totals.totalMinor, read.body.totals.subtotalMinor + read.body.totals.shippingMinor + (read.body.totals.taxIncluded ? 0 : read.body.totals.taxMinor));
    });

    it('fulfil ships the units: on-hand and sold both drop by the quantity; a second fulfil or a cancel is 409', async () => {
      const { sku } = await createProduct(api, { onHand: 10 });
      const order = await placeOrder(sku, 3);
      assert.deepEqual(await stockLevel(api, sku), { onHand: 10, sold: 3, held: 0, available: 7 });

      const fulfilled = await api.post(`/admin/orders/${order.id}/fulfil`, undefined, { admin: true });
      assert.equal(fulfilled.status, 200, JSON.stringify(fulfilled.body));
      assert.equal(fulfilled.body.status, 'fulfilled');
      const shipped = await stockLevel(api, sku);
      assert.deepEqual(shipped, { onHand: 7, sold: 0, held: 0, available: 7 });

      const again = await api.post(`/admin/orders/${order.id}/fulfil`, undefined, { admin: true });
      assertProblem(again, 409, 'illegal-transition');
      const cancel = await api.post(`/admin/orders/${order.id}/cancel`, { reason: 'too late' }, { admin: true });
      assertProblem(cancel, 409, 'illegal-transition');
      assert.equal(cancel.body.from, 'fulfilled');
      assert.deepEqual(await stockLevel(api, sku), shipped, 'a refused move changed the stock');
      assert.equal((await api.get(`/admin/orders/${order.id}`, { admin: true })).body.status, 'fulfilled');
    });

    it('cancelling a paid order refunds it and returns its units to sale', async () => {
      const { sku } = await createProduct(api, { onHand: 4 });
      const order = await placeOrder(sku, 4);
      assert.equal((await stockLevel(api, sku)).available, 0);

      const cancelled = await api.post(`/admin/orders/${order.id}/cancel`, { reason: 'customer asked' }, { admin: true });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.status, 'refunded');
      assert.equal(cancelled.body.payment.refunded, true);
      assert.deepEqual(await stockLevel(api, sku), { onHand: 4, sold: 0, held: 0, available: 4 });
      const ledger = await api.get(`/admin/stock/${sku}`, { admin: true });
      assert.ok(ledger.body.movements.some((movement: any) => movement.type === 'return' && movement.quantity === 4 && movement.reference === order.id));

      // The shopper sees it; the merchant finds it by status; it cannot move again.
      const read = await api.get(`/store/orders/${order.id}`, { headers: { authorization: `Bearer ${order.token}` } });
      assert.equal(read.body.status, 'refunded');
      const refundedIds = (await api.get('/admin/orders?status=refunded', { admin: true })).body.items.map((item: any) => item.id);
      assert.ok(refundedIds.includes(order.id));
      const paidIds = (await api.get('/admin/orders?status=paid', { admin: true })).body.items.map((item: any) => item.id);
      assert.ok(!paidIds.includes(order.id));
      assertProblem(await api.post(`/admin/orders/${order.id}/cancel`, {}, { admin: true }), 409, 'illegal-transition');
      assertProblem(await api.post(`/admin/orders/${order.id}/fulfil`, undefined, { admin: true }), 409, 'illegal-transition');
      assert.deepEqual(await stockLevel(api, sku), { onHand: 4, sold: 0, held: 0, available: 4 });

      // The returned units sell again.
      await placeOrder(sku, 4);
    });

    it('racing cancels and fulfils of one order: exactly one wins and the stock moves once', async () => {
      const { sku } = await createProduct(api, { onHand: 10 });
      const order = await placeOrder(sku, 3);
      const replies = await Promise.all([
        ...Array.from({ length: 5 }, () => api.post(`/admin/orders/${order.id}/cancel`, {}, { admin: true })),
        ...Array.from({ length: 5 }, () => api.post(`/admin/orders/${order.id}/fulfil`, undefined, { admin: true })),
      ]);
      const winners = replies.filter((reply) => reply.status === 200);
      assert.equal(winners.length, 1, replies.map((reply) => reply.status).join(' '));
      for (const loser of replies.filter((reply) => reply.status !== 200)) {
        assertProblem(loser, 409);
        assert.ok(['conflict', 'illegal-transition'].some((code) => loser.body.type.endsWith(`/${code}`)), loser.body.type);
      }
      const final = (await api.get(`/admin/orders/${order.id}`, { admin: true })).body.status;
      assert.equal(final, winners[0]?.body.status);
      const expected = final === 'fulfilled' ? { onHand: 7, sold: 0, held: 0, available: 7 } : { onHand: 10, sold: 0, held: 0, available: 10 };
      assert.deepEqual(await stockLevel(api, sku), expected);
    });

    it('an unknown order is 404 for every move', async () => {
      assertProblem(await api.post('/admin/orders/ord_nope/cancel', {}, { admin: true }), 404, 'not-found');
      assertProblem(await api.post('/admin/orders/ord_nope/fulfil', undefined, { admin: true }), 404, 'not-found');
      assertProblem(await api.get('/admin/orders/ord_nope', { admin: true }), 404, 'not-found');
    });
  });

  describe('the event feed', () => {
    it('lists order.placed and order.paid with the order id and number, in order', async () => {
      const { sku } = await createProduct(api, { onHand: 5 });
      const order = await placeOrder(sku, 1);
      const events = await eventsOf(order.id);
      const types = events.map((event) => event.type);
      assert.deepEqual(types, ['order.placed', 'order.paid']);
      for (const event of events) {
        assert.equal(event.data.order.number, order.number);
        assert.equal(event.data.order.email, order.email);
        assert.match(event.id, /\S/);
        assert.ok(!Number.isNaN(Date.parse(event.occurredAt)));
        const text = JSON.stringify(event);
        assert.ok(!text.includes(order.token), 'the order token is in the feed');
        assert.ok(!text.includes('tokenHash'), 'the token hash is in the feed');
      }
      assert.ok(events[0].sequence < events[1].sequence);
    });

    it('the cursor reads only what came after it', async () => {
      const everything = await allEvents();
      const sequences = everything.map((event) => event.sequence);
      assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b));
      assert.equal(new Set(sequences).size, sequences.length);
      const middle = everything[Math.floor(everything.length / 2)];
      const rest = await api.get(`/admin/events?after=${middle.sequence}&limit=500`, { admin: true });
      assert.deepEqual(rest.body.items.map((event: any) => event.sequence), sequences.filter((sequence) => sequence > middle.sequence));
      const end = await api.get(`/admin/events?after=${sequences.at(-1)}`, { admin: true });
      assert.deepEqual(end.body.items, []);
      assert.equal(end.body.nextCursor, String(sequences.at(-1)), 'an empty page keeps the reader where it was');
    });

    it('fulfil, cancel and refund are events too', async () => {
      const { sku } = await createProduct(api, { onHand: 5 });
      const shipped = await placeOrder(sku, 1);
      await api.post(`/admin/orders/${shipped.id}/fulfil`, undefined, { admin: true });
      const refunded = await placeOrder(sku, 1);
      await api.post(`/admin/orders/${refunded.id}/cancel`, {}, { admin: true });
      assert.deepEqual((await eventsOf(shipped.id)).map((event) => event.type), ['order.placed', 'order.paid', 'order.fulfilled']);
      assert.deepEqual((await eventsOf(refunded.id)).map((event) => event.type), ['order.placed', 'order.paid', 'order.cancelled', 'order.refunded']);
    });
  });

  describe('webhooks', () => {
    it('deliver order.placed and order.paid, signed per Standard Webhooks, with the event id as webhook-id', async () => {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const created = await api.post('/admin/webhooks', { url: receiver.url }, { admin: true });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const secret: string = created.body.secret;
      assert.match(secret, /^whsec_/);
      const listed = await api.get('/admin/webhooks', { admin: true });
      const mine = listed.body.items.find((webhook: any) => webhook.id === created.body.id);
      assert.equal(mine.url, receiver.url);
      assert.equal(mine.secret, undefined, 'the secret is shown only once');

      const { sku } = await createProduct(api, { onHand: 5 });
      const order = await placeOrder(sku, 1);
      const verifier = new Webhook(secret);
      const verified = await waitFor(
        'order.placed and order.paid at the receiver',
        async () => {
          const ofOrder = receiver.deliveries
            .map((delivery) => ({ delivery, payload: verifier.verify(delivery.body, signatureHeaders(delivery)) as any }))
            .filter(({ payload }) => payload.data.order.id === order.id);
          const types = new Set(ofOrder.map(({ payload }) => payload.type));
          return types.has('order.placed') && types.has('order.paid') ? ofOrder : undefined;
        },
        5_000,
      );

      const feed = await eventsOf(order.id);
      for (const { delivery, payload } of verified) {
        const event = feed.find((item) => item.type === payload.type);
        assert.ok(event, `no feed event for ${payload.type}`);
        assert.equal(delivery.headers['webhook-id'], event.id);
        assert.equal(payload.data.order.number, order.number);
        assert.match(String(delivery.headers['content-type']), /^application\/json/);
        assert.ok(!delivery.body.includes(order.token) && !delivery.body.includes('tokenHash'), 'a secret of the order was sent');
        // A changed body or another secret does not verify: the signature means something.
        assert.throws(() => verifier.verify(delivery.body.replace(order.email, 'mallory@example.com'), signatureHeaders(delivery)));
        assert.throws(() => new Webhook(`whsec_${Buffer.from('another secret entirely').toString('base64')}`).verify(delivery.body, signatureHeaders(delivery)));
      }
    });

    it('a receiver that fails first still gets the event on a retry, with the same webhook-id', async () => {
      const receiver = await startReceiver((attempt) => (attempt === 0 ? 500 : 200));
      receivers.push(receiver);
      const created = await api.post('/admin/webhooks', { url: receiver.url, events: ['order.placed'] }, { admin: true });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const verifier = new Webhook(created.body.secret);

      const { sku } = await createProduct(api, { onHand: 5 });
      const order = await placeOrder(sku, 1);
      const accepted = await waitFor(
        'a retried delivery that the receiver accepts',
        async () => receiver.deliveries.find((delivery) => delivery.answeredStatus === 200),
        10_000,
      );
      const [refused] = receiver.deliveries;
      assert.ok(refused);
      assert.equal(refused.answeredStatus, 500);
      assert.equal(accepted.headers['webhook-id'], refused.headers['webhook-id'], 'a retry must carry the same webhook-id');
      const payload = verifier.verify(accepted.body, signatureHeaders(accepted)) as any;
      assert.equal(payload.type, 'order.placed');
      assert.equal(payload.data.order.id, order.id);
      assert.ok(receiver.deliveries.every((delivery) => (verifier.verify(delivery.body, signatureHeaders(delivery)) as any).type === 'order.placed'), 'an unsubscribed event type was sent');

      const afterRetry = await waitFor(
        'the webhook to record its delivery',
        async () => {
          const webhook = (await api.get('/admin/webhooks', { admin: true })).body.items.find((item: any) => item.id === created.body.id);
          return webhook.lastError === null ? webhook : undefined;
        },
        3_000,
      );
      assert.ok(afterRetry.deliveredThrough > 0);
    });

    it('a webhook URL must be http(s)', async () => {
      for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com/x', 'not a url']) {
        assertProblem(await api.post('/admin/webhooks', { url }, { admin: true }), 422, 'validation');
      }
    });
  });

  describe('admin stock', () => {
    it('receive and adjust move on-hand and are listed in the ledger', async () => {
      const { sku } = await createProduct(api, { onHand: 0 });
      const received = await api.post(`/admin/stock/${sku}/movements`, { type: 'receive', quantity: 10, reason: 'PO 1001' }, { admin: true });
      assert.equal(received.status, 201, JSON.stringify(received.body));
      assert.deepEqual(received.body, { sku, onHand: 10, sold: 0, held: 0, available: 10 });
      const shrink = await api.post(`/admin/stock/${sku}/movements`, { type: 'adjust', quantity: -3, reason: 'damaged' }, { admin: true });
      assert.equal(shrink.body.onHand, 7);
      const found = await api.post(`/admin/stock/${sku}/movements`, { type: 'adjust', quantity: 2, reason: 'found in back room' }, { admin: true });
      assert.equal(found.body.onHand, 9);
      const ledger = await api.get(`/admin/stock/${sku}`, { admin: true });
      assert.deepEqual(
        ledger.body.movements.map((movement: any) => [movement.type, movement.quantity, movement.reason]),
        [['adjust', 2, 'found in back room'], ['adjust', -3, 'damaged'], ['receive', 10, 'PO 1001']],
      );
    });

    it('movements that make no sense are 422 and change nothing', async () => {
      const { sku } = await createProduct(api, { onHand: 5 });
      const before = await api.get(`/admin/stock/${sku}`, { admin: true });
      for (const movement of [
        { type: 'receive', quantity: 0, reason: 'nothing' },
        { type: 'receive', quantity: -5, reason: 'negative receipt' },
        { type: 'adjust', quantity: 0, reason: 'no change' },
        { type: 'adjust', quantity: 1.5, reason: 'half a unit' },
        { type: 'steal', quantity: 1, reason: 'unknown type' },
        { type: 'receive', quantity: 1, reason: '' },
        { type: 'receive', quantity: 1 },
      ]) {
        assertProblem(await api.post(`/admin/stock/${sku}/movements`, movement, { admin: true }), 422, 'validation');
      }
      assertProblem(await api.put(`/admin/stock/${sku}`, { onHand: -1 }, { admin: true }), 422, 'validation');
      assert.deepEqual((await api.get(`/admin/stock/${sku}`, { admin: true })).body, before.body);
      assertProblem(await api.get('/admin/stock/NO-SUCH-SKU', { admin: true }), 404, 'not-found');
      assertProblem(await api.post('/admin/stock/NO-SUCH-SKU/movements', { type: 'receive', quantity: 1, reason: 'x' }, { admin: true }), 404, 'not-found');
    });

    it('on-hand never goes below what is sold or held: 409 stock-below-committed, and nothing changes', async () => {
      const { sku } = await createProduct(api, { onHand: 10, holdAt: 'cart', limited: true, holdTtlMs: 600_000 });
      await placeOrder(sku, 2);
      const holder = (await api.post('/store/carts', {})).body.id;
      assert.equal((await api.post(`/store/carts/${holder}/lines`, { sku, quantity: 3 })).status, 201);
      const before = await api.get(`/admin/stock/${sku}`, { admin: true });
      assert.equal(before.body.sold, 2);
      assert.equal(before.body.held, 3);

      const sync = await api.put(`/admin/stock/${sku}`, { onHand: 4 }, { admin: true });
      assertProblem(sync, 409, 'stock-below-committed');
      assert.equal(sync.body.sold, 2);
      assert.equal(sync.body.held, 3);
      assertProblem(await api.put(`/admin/stock/${sku}`, { onHand: 0, reason: 'count' }, { admin: true }), 409, 'stock-below-committed');
      assertProblem(await api.post(`/admin/stock/${sku}/movements`, { type: 'adjust', quantity: -6, reason: 'shrinkage' }, { admin: true }), 409, 'stock-below-committed');
      assert.deepEqual((await api.get(`/admin/stock/${sku}`, { admin: true })).body, before.body, 'a refused sync changed the ledger');

      // Exactly sold + held is allowed: nothing is left to sell, and the hold still stands.
      const exact = await api.put(`/admin/stock/${sku}`, { onHand: 5 }, { admin: true });
      assert.equal(exact.status, 200, JSON.stringify(exact.body));
      assert.deepEqual(exact.body, { sku, onHand: 5, sold: 2, held: 3, available: 0 });
      const late = (await api.post('/store/carts', {})).body.id;
      assertProblem(await api.post(`/store/carts/${late}/lines`, { sku, quantity: 1 }), 409, 'sold-out');
      // The cart that holds 3 can still buy them.
      const placed = await api.post(`/store/carts/${holder}/checkout`, { email: 'holder@example.com', shippingAddress: { name: 'H', line1: '1 Road', city: 'Town', postalCode: '1', country: 'US' }, shippingOption: 'standard', payment: { token: 'tok_visa' } }, { idempotencyKey: 'holder' });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      assert.deepEqual(await stockLevel(api, sku), { onHand: 5, sold: 5, held: 0, available: 0 });

      const restock = await api.put(`/admin/stock/${sku}`, { onHand: 20, reason: 'wms count' }, { admin: true });
      assert.deepEqual(restock.body, { sku, onHand: 20, sold: 5, held: 0, available: 15 });
    });

    it('WMS syncs that race with shoppers never go below what is sold or held', async () => {
      const { sku } = await createProduct(api, { onHand: 30, holdAt: 'cart', limited: true, holdTtlMs: 600_000 });
      const [outcomes, syncs] = await Promise.all([
        Promise.all(Array.from({ length: 30 }, (_, index) => buy(api, sku, { email: `wms-race-${index}@example.com` }))),
        Promise.all(Array.from({ length: 30 }, (_, index) => api.put(`/admin/stock/${sku}`, { onHand: 30 - index }, { admin: true }))),
      ]);
      let ordered = 0;
      for (const outcome of outcomes) {
        const last = outcome.checkout ?? outcome.add;
        if (last.status === 201) ordered++;
        else assertProblem(last, 409, 'sold-out');
      }
      for (const sync of syncs) if (sync.status !== 200) assertProblem(sync, 409, 'stock-below-committed');
      const level = await stockLevel(api, sku);
      assert.equal(level.sold, ordered);
      assert.equal(level.held, 0);
      assert.ok(level.sold + level.held <= level.onHand, JSON.stringify(level));
    });
  });
});
