// `npm start` on an empty data directory: the demo catalog is seeded, an admin key is
// generated, printed once and kept; a second start neither prints it again nor re-seeds.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { client } from '../support/client.ts';
import { startChildServer, tempDir } from '../support/server.ts';

const dir = tempDir('first-start');
after(() => dir.remove());

it('seeds the demo shop and generates the admin key on the first start only', { timeout: 60_000 }, async () => {
  // An empty PEAKCART_ADMIN_KEY means "none configured", as on a fresh clone.
  const env = { PEAKCART_DB: join(dir.path, 'peakcart.db'), PEAKCART_ADMIN_KEY: '' };
  const first = await startChildServer(env, ['--seed-if-empty']);
  const key = readFileSync(join(dir.path, 'admin-key'), 'utf8').trim();
  try {
    assert.match(first.output(), /Seeded the demo catalog: 200 products/);
    assert.ok(first.output().includes(key), 'the generated key is printed');
    const api = client(first.url);
    const page = await api.get('/store/products?limit=100');
    assert.equal(page.body.items.length, 100);
    assert.notEqual(page.body.nextCursor, null);
    assert.equal((await api.get('/admin/orders', { headers: { authorization: `Bearer ${key}` } })).status, 200);
    assert.equal((await api.get('/admin/orders', { headers: { authorization: 'Bearer not-the-key' } })).status, 401);
  } finally {
    assert.equal(await first.kill('SIGTERM'), 0);
  }

  const second = await startChildServer(env, ['--seed-if-empty']);
  try {
    assert.ok(!second.output().includes(key), 'the key is printed once only');
    assert.doesNotMatch(second.output(), /Seeded/);
    assert.equal((await client(second.url).get('/admin/orders', { headers: { authorization: `Bearer ${key}` } })).status, 200);
  } finally {
    await second.kill('SIGTERM');
  }
});
