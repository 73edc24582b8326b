// `npm start` (serve --seed-if-empty --storefront) on an empty data directory: the shop is at
// `/` once the first build is done (a self-refreshing 503 page until then), a stop during a
// build is clean, and the next start serves the last build at once.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { waitFor } from '../support/http-helpers.ts';
import { startChildServer, tempDir } from '../support/server.ts';

const dir = tempDir('first-start-storefront');
after(() => dir.remove());

const npmStartArgs = ['--seed-if-empty', '--storefront'];

it('builds the demo shop on the first start and serves it at / without a restart', { timeout: 180_000 }, async () => {
  const env = { PEAKCART_DB: join(dir.path, 'peakcart.db'), PEAKCART_ADMIN_KEY: '' };

  // Stopped while its first build runs: it still stops cleanly.
  const interrupted = await startChildServer(env, npmStartArgs);
  assert.equal(await interrupted.kill('SIGTERM'), 0, interrupted.output());

  const first = await startChildServer(env, npmStartArgs);
  try {
    const early = await fetch(`${first.url}/`);
    if (early.status === 503) {
      assert.equal(early.headers.get('retry-after'), '3');
      assert.match(await early.text(), /being built/);
    } else {
      assert.equal(early.status, 200);
      await early.body?.cancel();
    }
    const home = await waitFor('the storefront to be built', async () => {
      const response = await fetch(`${first.url}/`);
      return response.status === 200 ? response.text() : (await response.body?.cancel(), undefined);
    }, 150_000, 250);
    assert.match(home, /Limited drops/);
    const product = /href="(\/products\/[a-z0-9-]+\/)"/.exec(home)?.[1];
    assert.ok(product);
    const page = await fetch(first.url + product);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /application\/ld\+json/);
    assert.equal((await fetch(`${first.url}/store/categories`)).status, 200);
    // Category pages are paginated: the demo's categories hold more than one page each.
    const category = /href="(\/categories\/[a-z0-9-]+\/)"/.exec(home)?.[1];
    assert.ok(category);
    const firstPage = await (await fetch(first.url + category)).text();
    const next = /<a href="([^"]+)" rel="next"/.exec(firstPage)?.[1];
    assert.equal(next, `${category}2/`);
    const secondPage = await fetch(first.url + next);
    assert.equal(secondPage.status, 200);
    assert.match(await secondPage.text(), /page 2 of \d+/);
  } finally {
    assert.equal(await first.kill('SIGTERM'), 0);
  }

  const second = await startChildServer(env, npmStartArgs);
  try {
    const home = await fetch(`${second.url}/`);
    assert.equal(home.status, 200, 'the last build is served at once');
    assert.match(await home.text(), /Limited drops/);
  } finally {
    await second.kill('SIGTERM');
  }
});
