// Promise 5's browsing half over real HTTP: the catalog is cacheable (ETag, Cache-Control with
// s-maxage and stale-while-revalidate, 304 without a body), everything personal is no-store,
// pagination walks every product once, and the operational endpoints answer.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkoutBody, client, createProduct, type Client, type Reply } from '../support/client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Made {
  id: string;
  slug: string;
  sku: string;
  category: string;
  title: string;
  published: boolean;
}

/** §6 paths (OpenAPI spelling) and the methods each must offer. */
const contractPaths: Record<string, string[]> = {
  '/store/products': ['get'],
  '/store/products/{slug}': ['get'],
  '/store/categories': ['get'],
  '/store/availability': ['get'],
  '/store/carts': ['post'],
  '/store/carts/{id}': ['get'],
  '/store/carts/{id}/lines': ['post'],
  '/store/carts/{id}/lines/{lineId}': ['patch', 'delete'],
  '/store/carts/{id}/checkout': ['post'],
  '/store/orders/{id}': ['get'],
  '/admin/products': ['get', 'post'],
  '/admin/products/{id}': ['get', 'patch', 'delete'],
  '/admin/stock/{sku}': ['get', 'put'],
  '/admin/stock/{sku}/movements': ['post'],
  '/admin/orders': ['get'],
  '/admin/orders/{id}': ['get'],
  '/admin/orders/{id}/cancel': ['post'],
  '/admin/webhooks': ['get', 'post'],
  '/admin/events': ['get'],
};

describe('catalog and cache', () => {
  let server: TestServer;
  let api: Client;
  const made: Made[] = [];

  async function makeProduct(index: number, category: string, options: { published?: boolean; title?: string } = {}): Promise<Made> {
    const slug = `walk-${category}-${String(index).padStart(2, '0')}`;
    const sku = `WALK-${category.toUpperCase()}-${index}`;
    const title = options.title ?? `Walking item ${index}`;
    const reply = await api.post(
      '/admin/products',
      {
        slug,
        title,
        description: 'A product made by the catalog tests.',
        categorySlug: category,
        published: options.published ?? true,
        variants: [{ sku, title: 'One size', prices: { USD: 1000 + index, EUR: 900 + index } }],
      },
      { admin: true },
    );
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    const product = { id: reply.body.id, slug, sku, category, title, published: options.published ?? true };
    made.push(product);
    return product;
  }

  /** Every page of a product list, following nextCursor. */
  async function walk(path: string, limit: number, admin = false): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const separator = path.includes('?') ? '&' : '?';
      const reply: Reply = await api.get(`${path}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, { admin });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.ok(reply.body.items.length <= limit);
      items.push(...reply.body.items);
      cursor = reply.body.nextCursor;
      if (cursor === null) return items;
    }
    throw new Error('the walk did not end');
  }

  before(async () => {
    server = await startTestServer();
    api = client(server.url);
    for (const [slug, name] of [['trail', 'Trail'], ['camp', 'Camp']]) {
      assert.equal((await api.put(`/admin/categories/${slug}`, { name }, { admin: true })).status, 200);
    }
    for (let index = 0; index < 20; index++) await makeProduct(index, 'trail');
    for (let index = 0; index < 10; index++) await makeProduct(index, 'camp', index === 3 ? { title: 'Zephyr Tent Ultralight' } : {});
    for (let index = 90; index < 93; index++) await makeProduct(index, 'trail', { published: false, title: `Secret drop ${index}` });
  });

  after(async () => {
    await server.stop();
  });

  const published = () => made.filter((product) => product.published);

  describe('pagination and filters', () => {
    it('the cursor walks every published product once', async () => {
      const items = await walk('/store/products', 7);
      const slugs = items.map((item) => item.slug);
      assert.equal(new Set(slugs).size, slugs.length, 'a product appeared twice');
      assert.deepEqual([...slugs].sort(), published().map((product) => product.slug).sort());
      assert.ok(items.every((item) => item.published === true));
    });

    it('every page size gives the same walk', async () => {
      const reference = (await walk('/store/products', 100)).map((item) => item.slug);
      for (const limit of [1, 3, 29, 30, 31]) {
        assert.deepEqual((await walk('/store/products', limit)).map((item) => item.slug), reference, `limit ${limit}`);
      }
    });

    it('the category filter returns that category only, across pages', async () => {
      const camp = await walk('/store/products?category=camp', 4);
      assert.equal(camp.length, 10);
      assert.ok(camp.every((item) => item.category === 'camp'));
      const trail = await walk('/store/products?category=trail', 6);
      assert.equal(trail.length, 20, 'unpublished products of the category must not be listed');
      const none = await api.get('/store/products?category=no-such-category');
      assert.equal(none.status, 200);
      assert.deepEqual(none.body.items, []);
    });

    it('q finds products by a word of their title, case-insensitively, and with a category', async () => {
      for (const q of ['zephyr', 'ZEPHYR', 'Zephyr tent', 'ultralight']) {
        const reply = await api.get(`/store/products?q=${encodeURIComponent(q)}`);
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body.items.map((item: any) => item.title), ['Zephyr Tent Ultralight'], `q=${q}`);
      }
      assert.deepEqual((await api.get('/store/products?q=zephyr&category=trail')).body.items, []);
      assert.equal((await api.get('/store/products?q=zephyr&category=camp')).body.items.length, 1);
      assert.deepEqual((await api.get('/store/products?q=zephyr%20nonexistentword')).body.items, []);
    });

    it('categories are listed', async () => {
      const reply = await api.get('/store/categories');
      assert.equal(reply.status, 200);
      const slugs = reply.body.items.map((category: any) => category.slug);
      assert.ok(slugs.includes('trail') && slugs.includes('camp'), JSON.stringify(slugs));
    });
  });

  describe('unpublished products', () => {
    it('are not in the Store API but are in the Admin API', async () => {
      const hidden = made.filter((product) => !product.published);
      const storeSlugs = new Set((await walk('/store/products', 50)).map((item) => item.slug));
      const adminItems = await walk('/admin/products', 50, true);
      const adminSlugs = new Set(adminItems.map((item) => item.slug));
      for (const product of hidden) {
        assert.ok(!storeSlugs.has(product.slug), `${product.slug} is listed in the store`);
        assert.ok(adminSlugs.has(product.slug), `${product.slug} is missing from the admin list`);
        assert.equal((await api.get(`/store/products/${product.slug}`)).status, 404);
        assert.deepEqual((await api.get(`/store/products?q=secret`)).body.items, []);
        const availability = await api.get(`/store/availability?sku=${product.sku}`);
        assert.deepEqual(availability.body, { items: [], unknown: [product.sku] });
        const cart = (await api.post('/store/carts', {})).body.id;
        assert.equal((await api.post(`/store/carts/${cart}/lines`, { sku: product.sku, quantity: 1 })).body.type, 'https://peakcart.dev/problems/unknown-sku');
      }
      assert.equal(adminItems.length, made.length);
    });

    it('appear in the store once published', async () => {
      const product = await makeProduct(95, 'camp', { published: false, title: 'Late bloomer' });
      assert.equal((await api.get(`/store/products/${product.slug}`)).status, 404);
      const patched = await api.patch(`/admin/products/${product.id}`, { published: true }, { admin: true });
      assert.equal(patched.status, 200);
      product.published = true;
      const reply = await api.get(`/store/products/${product.slug}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.title, 'Late bloomer');
    });

    // The SVG carries the title: a hidden drop must not leak by its slug.
    it("an unpublished product's image is not served", async () => {
      const hidden = made.find((product) => !product.published);
      assert.ok(hidden);
      const image = await api.get(`/media/products/${hidden.slug}.svg`);
      assert.equal(image.status, 404);
      assert.ok(!String(image.body).includes(hidden.title));
    });

    it("a published product's image is served", async () => {
      const shown = published()[0];
      assert.ok(shown);
      const image = await api.get(`/media/products/${shown.slug}.svg`);
      assert.equal(image.status, 200);
      assert.match(image.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    });
  });

  describe('HTTP caching', () => {
    function assertPublicCache(reply: Reply) {
      const cacheControl = reply.headers.get('cache-control') ?? '';
      for (const directive of ['public', 'max-age=', 's-maxage=', 'stale-while-revalidate=']) {
        assert.ok(cacheControl.includes(directive), `cache-control '${cacheControl}' lacks ${directive}`);
      }
      assert.match(reply.headers.get('etag') ?? '', /^(W\/)?"[^"]+"$/);
    }

    for (const path of ['/store/products', '/store/products?category=camp&limit=3', '/store/products/walk-camp-03', '/store/categories']) {
      it(`${path} sends ETag and Cache-Control, and If-None-Match gets 304 without a body`, async () => {
        const first = await api.get(path);
        assert.equal(first.status, 200);
        assertPublicCache(first);
        const etag = first.headers.get('etag') ?? '';

        const response = await fetch(server.url + path, { headers: { 'if-none-match': etag } });
        assert.equal(response.status, 304);
        assert.equal(await response.text(), '');
        assert.equal(response.headers.get('etag'), etag);
        assert.ok(response.headers.get('x-request-id'));

        const other = await api.get(path, { headers: { 'if-none-match': 'W/"not-this-one"' } });
        assert.equal(other.status, 200);
        assert.deepEqual(other.body, first.body);
      });
    }

    it('the ETag changes when the catalog does, so a revalidation sees the change', async () => {
      const path = '/store/products/walk-trail-05';
      const before = await api.get(path);
      const etag = before.headers.get('etag') ?? '';
      const product = made.find((item) => item.slug === 'walk-trail-05');
      assert.ok(product);
      assert.equal((await api.patch(`/admin/products/${product.id}`, { title: 'Renamed walking item' }, { admin: true })).status, 200);
      const after = await api.get(path, { headers: { 'if-none-match': etag } });
      assert.equal(after.status, 200);
      assert.equal(after.body.title, 'Renamed walking item');
      assert.notEqual(after.headers.get('etag'), etag);
    });

    it('availability is cacheable only briefly', async () => {
      const skus = published().slice(0, 2).map((product) => product.sku);
      const reply = await api.get(`/store/availability?sku=${skus[0]}&sku=${skus[1]}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body.items.map((item: any) => item.sku).sort(), [...skus].sort());
      assertPublicCache(reply);
      assert.match(reply.headers.get('cache-control') ?? '', /max-age=0\b/);
    });

    it('a 404 of the catalog is not cached as public', async () => {
      const reply = await api.get('/store/products/no-such-product');
      assert.equal(reply.status, 404);
      assert.ok(!(reply.headers.get('cache-control') ?? '').includes('public'));
      assert.equal(reply.headers.get('etag'), null);
    });

    it('carts, checkout, orders and the admin are no-store', async () => {
      const { sku } = await createProduct(api, { onHand: 10 });
      const replies: Array<[string, Reply]> = [];
      const created = await api.post('/store/carts', {});
      replies.push(['create cart', created]);
      const cartId: string = created.body.id;
      const added = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 2 });
      replies.push(['add line', added]);
      const lineId: string = added.body.lines[0].id;
      replies.push(['read cart', await api.get(`/store/carts/${cartId}`)]);
      replies.push(['change line', await api.patch(`/store/carts/${cartId}/lines/${lineId}`, { quantity: 1 })]);
      replies.push(['cart 404', await api.get('/store/carts/cart_nope')]);
      const placed = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody('cache@example.com'), { idempotencyKey: 'cache-checkout' });
      assert.equal(placed.status, 201);
      replies.push(['checkout', placed]);
      replies.push(['checkout replay', await api.post(`/store/carts/${cartId}/checkout`, checkoutBody('cache@example.com'), { idempotencyKey: 'cache-checkout' })]);
      replies.push(['read order', await api.get(`/store/orders/${placed.body.id}`, { headers: { authorization: `Bearer ${placed.body.token}` } })]);
      replies.push(['order 404', await api.get(`/store/orders/${placed.body.id}`)]);
      replies.push(['admin orders', await api.get('/admin/orders', { admin: true })]);
      replies.push(['admin order', await api.get(`/admin/orders/${placed.body.id}`, { admin: true })]);
      replies.push(['admin products', await api.get('/admin/products', { admin: true })]);
      replies.push(['admin stock', await api.get(`/admin/stock/${sku}`, { admin: true })]);
      replies.push(['admin 401', await api.get('/admin/orders')]);
      for (const [label, reply] of replies) {
        assert.ok(reply.status < 500, `${label}: ${reply.status}`);
        assert.equal(reply.headers.get('cache-control'), 'no-store', `${label} (${reply.status})`);
        assert.equal(reply.headers.get('etag'), null, `${label} has an ETag`);
      }
    });
  });

  describe('operations', () => {
    it('GET /openapi.json is OpenAPI 3.1 and lists the contract paths with their methods', async () => {
      const reply = await api.get('/openapi.json');
      assert.equal(reply.status, 200);
      assert.match(reply.body.openapi, /^3\.1\./);
      for (const [path, methods] of Object.entries(contractPaths)) {
        const item = reply.body.paths[path];
        assert.ok(item !== undefined, `${path} is not in the OpenAPI document`);
        for (const method of methods) assert.ok(item[method] !== undefined, `${method.toUpperCase()} ${path} is not in the OpenAPI document`);
      }
      assert.ok(reply.body.components.schemas.Problem, 'the Problem schema is documented');
    });

    it('/docs is an HTML page whose assets are served here', async () => {
      const page = await fetch(`${server.url}/docs`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.match(html, /<html/i);
      assert.ok(html.includes('/openapi.json') || html.includes('/docs/assets/'), 'the page does not load the API description');
      for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'docs-init.js']) {
        const response = await fetch(`${server.url}/docs/assets/${asset}`);
        assert.equal(response.status, 200, asset);
        assert.ok((await response.text()).length > 0);
      }
      const init = await (await fetch(`${server.url}/docs/assets/docs-init.js`)).text();
      assert.ok(init.includes('/openapi.json'));
      for (const escape of ['..%2F..%2Fpackage.json', '%2e%2e%2fpackage.json', 'package.json']) {
        assert.equal((await fetch(`${server.url}/docs/assets/${escape}`)).status, 404, escape);
      }
    });

    it('/healthz and /readyz answer 200', async () => {
      const health = await api.get('/healthz');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      const ready = await api.get('/readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, 'ready');
    });

    it('/metrics has request latency and counts orders', async () => {
      const orderCount = (text: string) => {
        const match = /^peakcart_orders_total\{currency="USD"\} (\d+)/m.exec(text);
        return match?.[1] === undefined ? 0 : Number(match[1]);
      };
      const before = orderCount(String((await api.get('/metrics')).body));
      const { sku } = await createProduct(api, { onHand: 3 });
      const cartId: string = (await api.post('/store/carts', {})).body.id;
      await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 });
      assert.equal((await api.post(`/store/carts/${cartId}/checkout`, checkoutBody('metrics@example.com'))).status, 201);

      const reply = await api.get('/metrics');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/plain/);
      const text = String(reply.body);
      assert.match(text, /^# TYPE peakcart_http_request_duration_seconds histogram/m);
      assert.match(text, /^peakcart_http_request_duration_seconds_bucket\{.*route="\/store\/carts\/:id\/checkout".*\} \d+/m);
      assert.match(text, /^# TYPE peakcart_orders_total counter/m);
      assert.equal(orderCount(text), before + 1);
    });
  });
});
