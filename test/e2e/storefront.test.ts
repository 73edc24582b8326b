// The storefront in a real browser: buying, a declined card, a drop sold out under a waiting
// cart, the cart across reloads and tabs, an expired cart, keyboard-only checkout. Screenshots
// of home, product, cart, checkout and confirmation are saved under test-results/storefront/
// on every run.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../support/http-helpers.ts';
import { browserSkipReason, launchBrowser, pageErrors, tabTo } from './browser.ts';
import { addProduct, startStorefrontShop, type StorefrontShop, type TestProduct } from './shop.ts';

const screenshots = join(import.meta.dirname, '..', '..', 'test-results', 'storefront');
const skip = browserSkipReason();

/** Polls `probe` until it holds. */
const until = (what: string, probe: () => Promise<boolean>, timeoutMs: number) => waitFor(what, async () => ((await probe()) ? true : undefined), timeoutMs);

let shop: StorefrontShop;
/** A second shop whose carts expire after 3 s, for the expired-cart story. */
let shortLived: StorefrontShop;
let browser: Browser | undefined;
let jacket: TestProduct;
let drop: TestProduct;
let mug: TestProduct;
let limitedCap: TestProduct;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  [shop, shortLived] = await Promise.all([startStorefrontShop(), startStorefrontShop({ PEAKCART_CART_TTL_MS: '3000' })]);
  jacket = await addProduct(shop.api, 'Summit Trail Jacket', { onHand: 50, priceMinor: 12_900 });
  drop = await addProduct(shop.api, 'Night Drop Sneaker', { onHand: 1, limited: true, holdAt: 'cart', holdTtlMs: 1_000, priceMinor: 17_999 });
  mug = await addProduct(shortLived.api, 'Enamel Camp Mug', { onHand: 10, priceMinor: 1_500 });
  limitedCap = await addProduct(shop.api, 'Collab Wool Cap', { onHand: 5, limited: true, holdAt: 'order', purchaseLimitPerCustomer: 1, priceMinor: 3_900 });
  await Promise.all([shop.rebuilt(), shortLived.rebuilt()]);
  if (skip === undefined) browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await shop?.stop();
  await shortLived?.stop();
});

async function newShopper(base: StorefrontShop): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  assert.ok(browser !== undefined);
  const context = await browser.newContext({ baseURL: base.url, viewport: { width: 412, height: 915 } });
  const page = await context.newPage();
  return { context, page, errors: pageErrors(page) };
}

async function addToCart(page: Page, product: TestProduct): Promise<void> {
  await page.goto(`/products/${product.slug}/`);
  await page.getByRole('status').filter({ hasText: /in stock|left/i }).first().waitFor();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.locator('#add-message').filter({ hasText: /added/i }).waitFor();
}

async function fillCheckout(page: Page, email: string, card: 'approved' | 'declined'): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Full name').fill('Ada Shopper');
  await page.getByLabel('Street address').fill('1 Market Street');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Postal code').fill('12345');
  await page.getByLabel(card === 'approved' ? 'Test card that is approved' : 'Test card that is declined').check();
}

async function ordersOf(base: StorefrontShop, email: string): Promise<{ id: string; number: number; email: string; lines: { sku: string }[] }[]> {
  const listed = await base.api.get('/admin/orders?limit=100', { admin: true });
  assert.equal(listed.status, 200);
  return listed.body.items.filter((order: { email: string }) => order.email === email);
}

describe('storefront in a browser', { skip }, () => {
  it('browses to a product, buys it with the approved card and shows the order the Admin API has', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await newShopper(shop);
    try {
      await page.goto('/');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
      await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Test gear' }).click();
      await page.getByRole('link', { name: /Summit Trail Jacket/ }).click();
      assert.match(await page.title(), /Summit Trail Jacket/);
      await page.getByRole('status').filter({ hasText: 'In stock' }).waitFor();
      await page.screenshot({ path: join(screenshots, 'product.png'), fullPage: true });
      await page.getByRole('button', { name: 'Add to cart' }).click();
      const drawer = page.getByRole('dialog', { name: 'Your cart' });
      await drawer.getByText('Summit Trail Jacket').waitFor();
      assert.equal(await page.locator('#cart-count').textContent(), '1');
      await drawer.getByRole('link', { name: 'View cart' }).click();
      await page.locator('#cart-lines').getByText('Summit Trail Jacket').waitFor();
      await page.screenshot({ path: join(screenshots, 'cart.png'), fullPage: true });
      await page.getByRole('link', { name: 'Check out' }).first().click();
      await page.locator('#checkout-lines').getByText('Summit Trail Jacket').waitFor();
      await fillCheckout(page, 'buyer@example.com', 'approved');
      await page.screenshot({ path: join(screenshots, 'checkout.png'), fullPage: true });
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.waitForURL(/\/order\/#id=/);
      const heading = page.getByRole('heading', { level: 1, name: /Thank you! Order #\d+/ });
      await heading.waitFor();
      await page.screenshot({ path: join(screenshots, 'confirmation.png'), fullPage: true });
      const number = Number(/#(\d+)/.exec((await heading.textContent()) ?? '')?.[1]);
      const orders = await ordersOf(shop, 'buyer@example.com');
      assert.equal(orders.length, 1);
      assert.equal(orders[0]?.number, number);
      assert.deepEqual(orders[0]?.lines.map((line) => line.sku), [jacket.sku]);
      assert.equal(await page.locator('#cart-count').textContent(), '0', 'the cart is done once it became an order');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('retries a checkout whose answer was lost with the same Idempotency-Key: one order', { timeout: 60_000 }, async () => {
    const { context, page } = await newShopper(shop);
    try {
      await addToCart(page, jacket);
      await page.goto('/checkout/');
      await page.locator('#checkout-lines').getByText('Summit Trail Jacket').waitFor();
      await fillCheckout(page, 'lost-answer@example.com', 'approved');
      const keys: string[] = [];
      let lost = false;
      await page.route('**/checkout', async (route) => {
        keys.push(route.request().headers()['idempotency-key'] ?? '');
        // The first attempt reaches the server and orders; its answer never reaches the browser.
        if (!lost) {
          lost = true;
          await route.fetch();
          await route.abort('connectionreset');
          return;
        }
        await route.continue();
      });
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.locator('#form-error').getByText(/you will not be charged twice/).waitFor();
      // A double click on the retry sends one request: the button is off while it runs.
      await page.getByRole('button', { name: 'Place order' }).dblclick();
      await page.waitForURL(/\/order\/#id=/);
      await page.getByRole('heading', { level: 1, name: /Thank you! Order #\d+/ }).waitFor();
      assert.equal(keys.length, 2);
      assert.equal(keys[0], keys[1], 'the retry sends the same key');
      assert.ok((keys[0] ?? '').length > 0);
      assert.equal((await ordersOf(shop, 'lost-answer@example.com')).length, 1);
    } finally {
      await context.close();
    }
  });

  it('explains a declined card, places no order and keeps the cart', { timeout: 60_000 }, async () => {
    const { context, page } = await newShopper(shop);
    try {
      await addToCart(page, jacket);
      await page.goto('/checkout/');
      await page.locator('#checkout-lines').getByText('Summit Trail Jacket').waitFor();
      await fillCheckout(page, 'declined@example.com', 'declined');
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByText(/Your card was declined\. No order was placed/).waitFor();
      assert.match(page.url(), /\/checkout\/$/);
      assert.deepEqual(await ordersOf(shop, 'declined@example.com'), []);
      const cartId = await page.evaluate(() => localStorage.getItem('peakcart.cart'));
      const cart = await shop.api.get(`/store/carts/${cartId}`);
      assert.equal(cart.status, 200);
      assert.deepEqual(cart.body.lines.map((line: { sku: string; quantity: number }) => [line.sku, line.quantity]), [[jacket.sku, 1]]);
      await page.reload();
      await page.locator('#checkout-lines').getByText('Summit Trail Jacket').waitFor();
      assert.equal(await page.locator('#cart-count').textContent(), '1');
    } finally {
      await context.close();
    }
  });

  it('explains at checkout that a drop item in the cart sold out to another shopper', { timeout: 60_000 }, async () => {
    const { context, page } = await newShopper(shop);
    try {
      await addToCart(page, drop);
      const drawer = page.getByRole('dialog', { name: 'Your cart' });
      // The countdown shows; with a one-second hold it may already say that the hold ended.
      await drawer.getByText(/Reserved for you for \d+:\d\d more|Your hold on this item has ended/).waitFor();
      // The hold lasts one second; once it ends another shopper takes the last pair.
      await until('the hold to end', async () => (await shop.api.get(`/store/availability?sku=${drop.sku}`)).body.items[0]?.available === 1, 10_000);
      const other = await shop.api.post('/store/carts', {});
      assert.equal((await shop.api.post(`/store/carts/${other.body.id}/lines`, { sku: drop.sku, quantity: 1 })).status, 201);
      const bought = await shop.api.post(`/store/carts/${other.body.id}/checkout`, {
        email: 'quick@example.com',
        shippingAddress: { name: 'Quick', line1: '2 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
        shippingOption: 'standard',
        payment: { token: 'tok_visa' },
      }, { idempotencyKey: 'e2e-drop-other-shopper' });
      assert.equal(bought.status, 201);

      await page.goto('/checkout/');
      await page.locator('#checkout-lines').getByText('Night Drop Sneaker').waitFor();
      await fillCheckout(page, 'late@example.com', 'approved');
      await page.getByRole('button', { name: 'Place order' }).click();
      const line = page.locator(`#checkout-lines li[data-sku="${drop.sku}"]`);
      await line.getByText(/Sold out: someone else bought the last one/).waitFor();
      await page.getByText(/No order was placed/).waitFor();
      assert.deepEqual(await ordersOf(shop, 'late@example.com'), []);
    } finally {
      await context.close();
    }
  });

  it('shows a per-customer limit next to the line that is over it', { timeout: 60_000 }, async () => {
    const earlier = await shop.api.post('/store/carts', {});
    await shop.api.post(`/store/carts/${earlier.body.id}/lines`, { sku: limitedCap.sku, quantity: 1 });
    const first = await shop.api.post(`/store/carts/${earlier.body.id}/checkout`, {
      email: 'collector@example.com',
      shippingAddress: { name: 'Col Lector', line1: '4 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
      shippingOption: 'standard',
      payment: { token: 'tok_visa' },
    }, { idempotencyKey: 'e2e-limit-first-order' });
    assert.equal(first.status, 201);
    const { context, page } = await newShopper(shop);
    try {
      await addToCart(page, limitedCap);
      await page.goto('/checkout/');
      await page.locator('#checkout-lines').getByText('Collab Wool Cap').waitFor();
      await fillCheckout(page, 'collector@example.com', 'approved');
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.locator(`#checkout-lines li[data-sku="${limitedCap.sku}"]`).getByText(/Limited to 1 per customer/).waitFor();
      assert.equal((await ordersOf(shop, 'collector@example.com')).length, 1);
    } finally {
      await context.close();
    }
  });

  it('keeps the cart across a reload and a new tab', { timeout: 60_000 }, async () => {
    const { context, page } = await newShopper(shop);
    try {
      await addToCart(page, jacket);
      await page.reload();
      await until('the badge to count 1', async () => (await page.locator('#cart-count').textContent()) === '1', 10_000);
      const tab = await context.newPage();
      await tab.goto('/cart/');
      await tab.locator('#cart-lines').getByText('Summit Trail Jacket').waitFor();
      assert.equal(await tab.locator('#cart-count').textContent(), '1');
    } finally {
      await context.close();
    }
  });

  it('explains an expired cart instead of emptying it silently', { timeout: 60_000 }, async () => {
    const { context, page } = await newShopper(shortLived);
    try {
      await addToCart(page, mug);
      const cartId = await page.evaluate(() => localStorage.getItem('peakcart.cart'));
      await until('the cart to expire', async () => (await shortLived.api.get(`/store/carts/${cartId}`)).status === 410, 15_000);
      await page.goto('/cart/');
      const notice = page.locator('#cart-notice');
      await notice.getByText(/Your previous cart expired/).waitFor();
      assert.match((await notice.textContent()) ?? '', /Enamel Camp Mug/);
      assert.equal(await page.locator('#cart-count').textContent(), '0');
      await notice.getByRole('button', { name: 'OK' }).click();
      await until('the notice to go', () => notice.isHidden(), 5_000);
    } finally {
      await context.close();
    }
  });

  it('checks out with the keyboard alone', { timeout: 60_000 }, async () => {
    const { context, page } = await newShopper(shop);
    try {
      await page.goto(`/products/${jacket.slug}/`);
      await page.getByRole('status').filter({ hasText: 'In stock' }).waitFor();
      await tabTo(page, '#add-button');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: 'Your cart' }).getByText('Summit Trail Jacket').waitFor();
      await tabTo(page, '#cart-drawer a[href="/checkout/"]');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/checkout\/$/);
      await page.locator('#checkout-lines').getByText('Summit Trail Jacket').waitFor();
      const typeInto = async (selector: string, text: string) => {
        await tabTo(page, selector);
        await page.keyboard.type(text);
      };
      await typeInto('#email', 'keys@example.com');
      await typeInto('#name', 'Kim Keyboard');
      await typeInto('#line1', '3 Tab Lane');
      await typeInto('#city', 'Springfield');
      await typeInto('#postalCode', '12345');
      await tabTo(page, '#place-order');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/order\/#id=/);
      await page.getByRole('heading', { level: 1, name: /Thank you! Order #\d+/ }).waitFor();
      assert.equal((await ordersOf(shop, 'keys@example.com')).length, 1);
    } finally {
      await context.close();
    }
  });

  it('finds products with the search box over the prebuilt index', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await newShopper(shop);
    try {
      await page.goto('/');
      await page.getByRole('searchbox', { name: 'Search products' }).first().fill('summit jacket');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/search\/\?q=summit/);
      await page.getByRole('status').filter({ hasText: '1 product found' }).waitFor();
      await page.locator('#search-results').getByRole('link', { name: /Summit Trail Jacket/ }).click();
      await page.waitForURL(new RegExp(`/products/${jacket.slug}/$`));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('shows field errors next to the fields and sends nothing until they are fixed', { timeout: 60_000 }, async () => {
    const { context, page } = await newShopper(shop);
    try {
      await addToCart(page, jacket);
      await page.goto('/checkout/');
      await page.locator('#checkout-lines').getByText('Summit Trail Jacket').waitFor();
      await page.getByLabel('Email').fill('not-an-email');
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.locator('#email-error').getByText(/Enter an email address/).waitFor();
      assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.evaluate('document.activeElement?.id'), 'email');
      assert.match((await page.locator('#postalCode-error').textContent()) ?? '', /postal code/);
      assert.deepEqual(await ordersOf(shop, 'not-an-email'), []);
    } finally {
      await context.close();
    }
  });
});

describe('storefront served by the API process', () => {
  it('serves pages with SEO markup, hashed assets for a year, HTML briefly, compressed', async () => {
    const html = await fetch(`${shop.url}/products/${jacket.slug}/`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(html.status, 200);
    assert.equal(html.headers.get('cache-control'), 'public, max-age=60, must-revalidate');
    assert.ok(html.headers.get('etag'));
    const page = await html.text();
    assert.match(page, /<title>Summit Trail Jacket \| Peak Outfitters<\/title>/);
    assert.match(page, /<link rel="canonical" href="http:\/\/127\.0\.0\.1:\d+\/products\/[^"]+\/"/);
    assert.match(page, /<meta property="og:title" content="Summit Trail Jacket"/);
    const jsonLd = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page)?.[1] ?? 'null');
    assert.equal(jsonLd['@type'], 'Product');
    assert.deepEqual(jsonLd.offers.map((offer: { price: string; priceCurrency: string; sku: string }) => [offer.sku, offer.price, offer.priceCurrency]), [[jacket.sku, '129.00', 'USD']]);
    assert.doesNotMatch(page, /\b50 (left|in stock)\b/, 'stock is not baked into the page');

    const revalidated = await fetch(`${shop.url}/products/${jacket.slug}/`, { headers: { 'if-none-match': html.headers.get('etag') ?? '' } });
    assert.equal(revalidated.status, 304);

    const script = /src="(\/_assets\/[^"]+\.js)"/.exec(page)?.[1];
    assert.ok(script);
    const asset = await fetch(shop.url + script, { headers: { 'accept-encoding': 'br' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('content-encoding'), 'br');

    const missing = await fetch(`${shop.url}/no/such/page/`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /Page not found/);
    const robots = await (await fetch(`${shop.url}/robots.txt`)).text();
    assert.match(robots, /Sitemap: http:\/\/127\.0\.0\.1:\d+\/sitemap\.xml/);
    const sitemap = await (await fetch(`${shop.url}/sitemap.xml`)).text();
    assert.ok(sitemap.includes(`/products/${jacket.slug}/</loc>`));
    assert.ok(!sitemap.includes('/checkout/'));
    const api = await shop.api.get('/store/categories');
    assert.equal(api.status, 200);
    assert.ok(api.body.items.some((category: { slug: string }) => category.slug === 'test-gear'));
  });

  it('rebuilds and serves the changed pages after an Admin API change, without a restart', { timeout: 60_000 }, async () => {
    const before = shop.server.server.storefront?.servingDir();
    const added = await addProduct(shop.api, 'Granite Chalk Bag', { onHand: 5 });
    await shop.rebuilt();
    assert.notEqual(shop.server.server.storefront?.servingDir(), before);
    const page = await fetch(`${shop.url}/products/${added.slug}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Granite Chalk Bag/);
    const image = await fetch(`${shop.url}/media/products/${added.slug}.svg`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/svg+xml');
  });
});
