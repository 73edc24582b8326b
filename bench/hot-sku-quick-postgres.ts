// bench:quick on the scale-out store: the same rough hot-SKU loop as hot-sku-quick.ts (64
// closed-loop shoppers: cart, one unit, checkout, for 10 s) against N `peakcart serve` processes
// sharing one PostgreSQL started from the Debian binaries in a temp directory (fsync on).
// Shoppers are spread over the instances round-robin (no load balancer). A rough figure only.
//   node bench/hot-sku-quick-postgres.ts [order|cart] [instances]

import { join } from 'node:path';
import { checkoutBody, client, createProduct } from '../test/support/client.ts';
import { startPostgres } from '../test/support/postgres-server.ts';
import { startChildServer, tempDir, type ChildServer } from '../test/support/server.ts';

const holdAt = process.argv[2] === 'cart' ? 'cart' : 'order';
const instances = Math.max(1, Math.min(8, Number(process.argv[3] ?? 1) || 1));
const durationMs = 10_000;
const shoppers = 64;

const postgres = await startPostgres('bench');
const dir = tempDir('bench-pg');
const servers: ChildServer[] = [];
try {
  for (let index = 0; index < instances; index++) {
    servers.push(await startChildServer({ PEAKCART_DATABASE_URL: postgres.url, PEAKCART_DB: join(dir.path, `${index}.db`), PEAKCART_LOG_LEVEL: 'error' }));
  }
  const apis = servers.map((server) => client(server.url));
  const { sku } = await createProduct(apis[0]!, { onHand: 1_000_000, holdAt, limited: holdAt === 'cart' });
  let orders = 0;
  let failures = 0;
  const endMs = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: shoppers }, async (_, shopper) => {
      const api = apis[shopper % apis.length]!;
      for (let i = 0; Date.now() < endMs; i++) {
        const cart = await api.post('/store/carts', {});
        await api.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 });
        const placed = await api.post(`/store/carts/${cart.body.id}/checkout`, checkoutBody(`s${shopper}-${i}@example.com`), { idempotencyKey: `b-${shopper}-${i}` });
        if (placed.status === 201) orders++;
        else failures++;
      }
    }),
  );
  const stock = await apis[0]!.get(`/admin/stock/${sku}`, { admin: true });
  console.log(JSON.stringify({ store: 'postgres', instances, holdAt, shoppers, durationS: durationMs / 1000, ordersPerS: orders / (durationMs / 1000), failures, sold: stock.body.sold, held: stock.body.held }));
} finally {
  for (const server of servers) await server.kill('SIGTERM');
  await postgres.destroy();
  dir.remove();
}
