// A peakcart server with the storefront turned on, over a small catalog made through the Admin
// API, and its site built once before the tests start.

import { join } from 'node:path';
import { createProduct, client, type Client } from '../support/client.ts';
import { startTestServer, tempDir, type TestServer } from '../support/server.ts';

export interface StorefrontShop {
  url: string;
  api: Client;
  server: TestServer;
  /** Waits until the storefront has caught up with every catalog change. */
  rebuilt(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStorefrontShop(env: Record<string, string> = {}): Promise<StorefrontShop> {
  const dir = tempDir('storefront');
  const server = await startTestServer({
    PEAKCART_STOREFRONT: 'on',
    PEAKCART_STOREFRONT_DIR: join(dir.path, 'site'),
    PEAKCART_STOREFRONT_REBUILD_DELAY_MS: '100',
    ...env,
  });
  const storefront = server.server.storefront;
  if (storefront === undefined) throw new Error('the storefront is not on');
  return {
    url: server.url,
    api: client(server.url),
    server,
    async rebuilt() {
      await storefront.settled();
      if (storefront.servingDir() === undefined) throw new Error('the storefront build failed; see the log above');
    },
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}

export interface TestProduct {
  sku: string;
  slug: string;
  title: string;
}

/** A product as shoppers see it: created, titled, and put in a category of its own. */
export async function addProduct(api: Client, title: string, options: Parameters<typeof createProduct>[1]): Promise<TestProduct> {
  const made = await createProduct(api, options);
  const renamed = await api.patch(`/admin/products/${made.productId}`, { title, description: `${title}: made for the storefront tests.` }, { admin: true });
  if (renamed.status !== 200) throw new Error(`could not rename product: ${renamed.status} ${JSON.stringify(renamed.body)}`);
  return { sku: made.sku, slug: made.slug, title };
}
