// A rough, single-run figure for checkouts per second against one hot SKU: 64 closed-loop
// shoppers each create a cart, add one unit and check out, for 10 s, against a fresh embedded
// server in a child process. The real instrument (open model, HdrHistogram, audit) is the
// benchmark issue's; this only gives the order of magnitude.
//   node bench/hot-sku-quick.ts [order|cart]

import { join } from 'node:path';
import { checkoutBody, client, createProduct } from '../test/support/client.ts';
import { startChildServer, tempDir } from '../test/support/server.ts';

const holdAt = process.argv[2] === 'cart' ? 'cart' : 'order';
const durationMs = 10_000;
const shoppers = 64;

const dir = tempDir('bench');
const server = await startChildServer({ PEAKCART_DB: join(dir.path, 'peakcart.db'), PEAKCART_LOG_LEVEL: 'error' });
try {
  const api = client(server.url);
  const { sku } = await createProduct(api, { onHand: 1_000_000, holdAt, limited: holdAt === 'cart' });
  let orders = 0;
  let failures = 0;
  const endMs = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: shoppers }, async (_, shopper) => {
      for (let i = 0; Date.now() < endMs; i++) {
        const cart = await api.post('/store/carts', {});
        await api.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 });
        const placed = await api.post(`/store/carts/${cart.body.id}/checkout`, checkoutBody(`s${shopper}-${i}@example.com`), { idempotencyKey: `b-${shopper}-${i}` });
        if (placed.status === 201) orders++;
        else failures++;
      }
    }),
  );
  const stock = await api.get(`/admin/stock/${sku}`, { admin: true });
  console.log(JSON.stringify({ holdAt, shoppers, durationS: durationMs / 1000, ordersPerS: orders / (durationMs / 1000), failures, sold: stock.body.sold }));
} finally {
  await server.kill('SIGTERM');
  dir.remove();
}
