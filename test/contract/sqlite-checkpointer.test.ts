// The checkpointer beside the SQLite writer: the writer's own connection leaves the WAL to it
// (a backstop aside), a pass copies the WAL into the database file without the writer, and a
// WAL grown past its bound is started over. On real files, with the threaded store as serve
// opens it.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkpointPass, writerCheckpointBackstopPages } from '../../src/adapters/sqlite/checkpoints.ts';
import { openDatabase } from '../../src/adapters/sqlite/connection.ts';
import { openThreadedSqliteStore } from '../../src/adapters/sqlite/threaded-store.ts';
import { cart } from './fixtures.ts';

const directory = mkdtempSync(join(tmpdir(), 'peakcart-checkpointer-'));
let counter = 0;
after(() => rmSync(directory, { recursive: true, force: true }));
const nextPath = () => join(directory, `store-${(counter += 1)}`, 'peakcart.sqlite');

/** Commits `count` transactions of one 2 KB row each on the writer connection. */
function writeRows(db: ReturnType<typeof openDatabase>, count: number): void {
  const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
  for (let i = 0; i < count; i++) {
    db.exec('BEGIN IMMEDIATE');
    insert.run('x'.repeat(2048));
    db.exec('COMMIT');
  }
}

describe('checkpoint passes on a real file', () => {
  it('leave the writer only a backstop, copy the WAL into the file, and start an overlong WAL over', () => {
    const path = nextPath();
    const writer = openDatabase(path, { checkpointBeside: true });
    const checkpointer = openDatabase(path);
    try {
      assert.equal(writer.prepare('PRAGMA wal_autocheckpoint').get()?.['wal_autocheckpoint'], writerCheckpointBackstopPages);
      assert.equal(checkpointer.prepare('PRAGMA synchronous').get()?.['synchronous'], 2, 'the checkpointer syncs as the writer does: FULL is 2');
      writer.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const sizeBefore = statSync(path).size;
      // Past SQLite's default of 1,000 pages: the writer would have checkpointed by itself.
      writeRows(writer, 1200);
      assert.equal(statSync(path).size, sizeBefore, 'the writer copied nothing into the database file');

      const first = checkpointPass(checkpointer, 1_000_000);
      assert.ok(first.walPages > 1000, `the WAL held the writes (${first.walPages} frames)`);
      assert.equal(first.copied, first.walPages, 'an idle writer lets the pass copy every frame');
      assert.equal(first.restarted, false);
      assert.ok(statSync(path).size > sizeBefore + 1200 * 2048, 'the rows are in the database file now');

      writeRows(writer, 10);
      const grown = checkpointPass(checkpointer, 5);
      assert.equal(grown.restarted, true, 'a WAL past the bound is started over');
      writeRows(writer, 1);
      const after = checkpointPass(checkpointer, 1_000_000);
      assert.ok(after.walPages < 10, `the next write started the WAL from its beginning (${after.walPages} frames)`);
      assert.equal(writer.prepare('SELECT count(*) AS n FROM rows').get()?.['n'], 1211);
    } finally {
      checkpointer.close();
      writer.close();
    }
  });
});

describe('the threaded store', () => {
  it('runs a checkpointer that copies committed writes into the file and reports the WAL', async () => {
    const path = nextPath();
    const store = await openThreadedSqliteStore({ path, checkpointIntervalMs: 20 });
    try {
      const sizeBefore = statSync(path).size;
      const lines = Array.from({ length: 40 }, (_, i) => ({ id: `line-${i}`, sku: `SKU-${i}-${'x'.repeat(200)}`, quantity: 1, heldUntilMs: null, addedAtMs: 0 }));
      await Promise.all(Array.from({ length: 300 }, (_, i) => store.carts.createCart(cart(`cart-${String(i).padStart(4, '0')}`, { lines }))));
      const deadline = Date.now() + 5_000;
      while ((store.stats.walPages === 0 || statSync(path).size <= sizeBefore) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(store.stats.walPages > 0, 'a pass reported the WAL it saw');
      assert.ok(statSync(path).size > sizeBefore, 'the carts reached the database file without a checkpoint of the writer');
      assert.equal((await store.carts.getCart('cart-0299'))?.lines.length, 40);
    } finally {
      await store.close();
    }
  });

  it('says once when the checkpointer thread ends on its own, and goes on writing', async () => {
    const lost: Error[] = [];
    const store = await openThreadedSqliteStore({ path: nextPath(), checkpointIntervalMs: 5, onCheckpointerLost: (error) => lost.push(error) });
    try {
      await store.killCheckpointer();
      assert.equal(lost.length, 1);
      assert.match(lost[0]?.message ?? '', /checkpointer thread exited/);
      await store.carts.createCart(cart('cart-after'));
      assert.equal((await store.carts.getCart('cart-after'))?.id, 'cart-after');
    } finally {
      await store.close();
    }
    assert.equal(lost.length, 1, 'closing the store is not a loss');
  });

  it('closes with the store, leaving nothing running', async () => {
    const store = await openThreadedSqliteStore({ path: nextPath(), checkpointIntervalMs: 5 });
    await store.carts.createCart(cart('cart-1'));
    await store.close();
    // The test runner would report a thread or timer still holding the process open.
  });
});
