// The purge of day-old Idempotency-Keys on SQLite, which walks the rows in rowid order (the
// order they were written in) instead of reading an index on their age: it deletes the old
// rows at the front, a page of reads at a time, at most `limit` per call, and never a row
// younger than the cutoff, even one written before an older one (a clock stepped back).

import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { tempDir } from '../support/server.ts';

const dir = tempDir('idempotency-purge');
after(() => dir.remove());

const t0Ms = 1_800_000_000_000;
const leaseMs = 15_000;
const response = { status: 201, body: '{"ok":true}', contentType: 'application/json' };
let fileCounter = 0;

/** A store with one done key per entry of `createdAtMs`, written in that order. */
async function storeWithKeys(createdAtMs: number[]) {
  const path = join(dir.path, `purge-${(fileCounter += 1)}.sqlite`);
  const store = await openSqliteStore({ path });
  for (const [index, atMs] of createdAtMs.entries()) {
    assert.deepEqual(await store.idempotency.begin('POST /store/carts', `key-${index}`, 'hash', atMs, leaseMs), { kind: 'started' });
    await store.idempotency.complete('POST /store/carts', `key-${index}`, response, atMs);
  }
  const keysLeft = () => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return db.prepare('SELECT key FROM idempotency_keys ORDER BY rowid').all().map((row) => String(row['key']));
    } finally {
      db.close();
    }
  };
  return { store, keysLeft };
}

it('deletes the old keys at the front, at most `limit` a call, across several pages of reads', async () => {
  const { store, keysLeft } = await storeWithKeys(Array.from({ length: 100 }, (_, index) => t0Ms + index));
  assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 70, 40), 40);
  assert.equal(keysLeft()[0], 'key-40');
  assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 70, 40), 30);
  assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 70, 40), 0);
  assert.deepEqual(keysLeft(), Array.from({ length: 30 }, (_, index) => `key-${index + 70}`));
  // Nothing is old enough: the walk stops at the first row.
  assert.equal(await store.idempotency.purgeOlderThan(t0Ms, 500), 0);
  assert.equal(keysLeft().length, 30);
  await store.close();
});

it('keeps a young key and the old ones written after it until the young one is old too', async () => {
  const { store, keysLeft } = await storeWithKeys([t0Ms, t0Ms + 1, t0Ms + 5_000, t0Ms + 2, t0Ms + 3]);
  assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 1_000, 500), 2);
  assert.deepEqual(keysLeft(), ['key-2', 'key-3', 'key-4']);
  assert.equal(await store.idempotency.purgeOlderThan(t0Ms + 6_000, 500), 3);
  assert.deepEqual(keysLeft(), []);
  // A purged key is free again.
  assert.deepEqual(await store.idempotency.begin('POST /store/carts', 'key-0', 'other', t0Ms + 7_000, leaseMs), { kind: 'started' });
  await store.close();
});
