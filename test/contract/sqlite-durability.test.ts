// What the SQLite adapter promises beyond the contract: a write is acknowledged only once it is
// committed, a failing write in a batch leaves its neighbours alone, many concurrent writes
// share few transactions, and acknowledged writes survive a kill -9.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { createBatcher, writesPerSavepoint } from '../../src/adapters/sqlite/batcher.ts';
import { openDatabase } from '../../src/adapters/sqlite/connection.ts';
import { migrations } from '../../src/adapters/sqlite/migrations.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { isClaimRefused } from '../../src/core/errors.ts';
import { cart, commit, counters, draft, hold, product, receive, t0Ms } from './fixtures.ts';

const directory = mkdtempSync(join(tmpdir(), 'peakcart-durability-'));
let fileCounter = 0;
after(() => rmSync(directory, { recursive: true, force: true }));

function freshPath(): string {
  return join(directory, `case-${(fileCounter += 1)}`, 'nested', 'peakcart.sqlite');
}

/** A second, read-only connection: it sees only what was committed. */
function observe(path: string): DatabaseSync {
  return new DatabaseSync(path, { readOnly: true });
}

function onHandSeenBy(observer: DatabaseSync, sku: string): number | undefined {
  const row = observer.prepare('SELECT on_hand FROM stock_levels WHERE sku = ?').get(sku);
  return row === undefined ? undefined : Number(row['on_hand']);
}

describe('sqlite adapter: opening', () => {
  it('creates the directory, uses WAL, synchronous=FULL and in-memory journals, and records its migrations once', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path });
    assert.deepEqual(store.migrate(), []);
    await store.close();
    const db = openDatabase(path);
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.['journal_mode'], 'wal');
    assert.equal(db.prepare('PRAGMA synchronous').get()?.['synchronous'], 2, 'FULL is 2');
    assert.equal(db.prepare('PRAGMA foreign_keys').get()?.['foreign_keys'], 1);
    assert.equal(db.prepare('PRAGMA temp_store').get()?.['temp_store'], 2, 'savepoint journals in memory: MEMORY is 2');
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((row) => row['version']);
    assert.deepEqual(versions, migrations.map((migration) => migration.version));
    db.close();
    const reopened = await openSqliteStore({ path });
    assert.deepEqual(reopened.migrate(), []);
    await reopened.close();
  });
});

describe('sqlite adapter: group commit', () => {
  it('acknowledges a write only after its batch committed', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path });
    const observer = observe(path);
    const write = store.stock.applyMovement({ sku: 'tee-m', type: 'receive', quantity: 5, reason: 'r', reference: null, allowBelowCommitted: false }, t0Ms);
    const seenWhenAcknowledged = write.then(() => onHandSeenBy(observer, 'tee-m'));
    assert.equal(onHandSeenBy(observer, 'tee-m'), undefined, 'queued, not written yet');
    assert.equal(await seenWhenAcknowledged, 5, 'another connection sees it the moment it is acknowledged');
    observer.close();
    await store.close();
  });

  it('keeps every write of a batch invisible until the one COMMIT, then settles them all', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    db.exec('CREATE TABLE items (value INTEGER NOT NULL)');
    const observer = observe(path);
    const count = () => Number(observer.prepare('SELECT COUNT(*) AS n FROM items').get()?.['n']);
    const batcher = createBatcher(db);
    const writes = [1, 2, 3].map((value) =>
      batcher
        .run(() => {
          db.prepare('INSERT INTO items (value) VALUES (?)').run(value);
          return count();
        })
        .then((seenInside) => ({ seenInside, seenAfter: count() })),
    );
    assert.deepEqual(await Promise.all(writes), [
      { seenInside: 0, seenAfter: 3 },
      { seenInside: 0, seenAfter: 3 },
      { seenInside: 0, seenAfter: 3 },
    ]);
    assert.equal(batcher.stats.transactions, 1);
    await batcher.close();
    observer.close();
    db.close();
  });

  it('rejects every write of a batch whose COMMIT fails: nothing unconfirmed is acknowledged', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    // A deferred foreign key is checked at COMMIT, so it makes COMMIT itself fail.
    db.exec(`
      CREATE TABLE parents (id INTEGER PRIMARY KEY);
      CREATE TABLE children (parent_id INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);
    `);
    const batcher = createBatcher(db);
    const results = await Promise.allSettled([
      batcher.run(() => db.prepare('INSERT INTO parents (id) VALUES (1)').run()),
      batcher.run(() => db.prepare('INSERT INTO children (parent_id) VALUES (2)').run()),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected'],
    );
    assert.equal(db.isTransaction, false);
    assert.equal(Number(db.prepare('SELECT COUNT(*) AS n FROM parents').get()?.['n']), 0);
    // The batcher carries on with the next batch.
    await batcher.run(() => db.prepare('INSERT INTO parents (id) VALUES (3)').run());
    assert.equal(Number(db.prepare('SELECT COUNT(*) AS n FROM parents').get()?.['n']), 1);
    await batcher.close();
    db.close();
  });

  it('runs writes in groups under one savepoint, and a group again with one per write once a write of it threw: memory changes are undone with their write', async () => {
    const db = openDatabase(freshPath());
    db.exec('CREATE TABLE items (value INTEGER NOT NULL)');
    const batcher = createBatcher(db);
    const seen = new Set<number>();
    const runs = new Map<number, number>();
    /** Inserts `value` and notes it in memory (undone if the write is rolled back), then fails if asked. */
    const write = (value: number, fail = false) =>
      batcher.run(() => {
        runs.set(value, (runs.get(value) ?? 0) + 1);
        db.prepare('INSERT INTO items (value) VALUES (?)').run(value);
        seen.add(value);
        batcher.undoOnRollback(() => seen.delete(value));
        if (fail) throw new Error(`write ${value} fails after changing the file and memory`);
        return value;
      });
    const values = () => db.prepare('SELECT value FROM items ORDER BY value').all().map((row) => Number(row['value']));

    assert.deepEqual(await Promise.all([write(1), write(2)]), [1, 2]);
    assert.deepEqual([...runs.values()], [1, 1], 'a batch with no failure runs each write once');

    const results = await Promise.allSettled([write(3), write(4, true), write(5)]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(values(), [1, 2, 3, 5]);
    assert.deepEqual([...seen].sort(), [1, 2, 3, 5], 'the failed write left nothing in memory either');
    assert.deepEqual([runs.get(3), runs.get(4), runs.get(5)], [2, 2, 1], 'run once in the group up to the failure, then again each in its own savepoint');

    // A failing write makes only its own group run again, not the whole batch.
    runs.clear();
    const batch = Array.from({ length: 3 * writesPerSavepoint }, (_, index) => write(100 + index, index === 1));
    const settled = await Promise.allSettled(batch);
    assert.equal(settled.filter((result) => result.status === 'rejected').length, 1);
    assert.equal(values().length, 4 + 3 * writesPerSavepoint - 1);
    assert.deepEqual([runs.get(100), runs.get(101), runs.get(102)], [2, 2, 1]);
    assert.ok([...runs].filter(([value]) => value >= 100 + writesPerSavepoint).every(([, count]) => count === 1), 'the other groups ran once');
    assert.equal(db.isTransaction, false);
    await batcher.close();
    db.close();
  });

  it('undoes the memory changes of every write of a batch whose COMMIT fails', async () => {
    const db = openDatabase(freshPath());
    db.exec(`
      CREATE TABLE parents (id INTEGER PRIMARY KEY);
      CREATE TABLE children (parent_id INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);
    `);
    const batcher = createBatcher(db);
    const seen = new Set<string>();
    const noted = (name: string, sql: string) =>
      batcher.run(() => {
        db.prepare(sql).run();
        seen.add(name);
        batcher.undoOnRollback(() => seen.delete(name));
      });
    const results = await Promise.allSettled([noted('parent', 'INSERT INTO parents (id) VALUES (1)'), noted('orphan', 'INSERT INTO children (parent_id) VALUES (2)')]);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected']);
    assert.deepEqual([...seen], []);
    await batcher.close();
    db.close();
  });

  it('rolls the whole batch back when a savepoint cannot be undone, and retries the writes that never ran', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    db.exec('CREATE TABLE items (value INTEGER NOT NULL)');
    const batcher = createBatcher(db);
    const insert = (value: number) => () => db.prepare('INSERT INTO items (value) VALUES (?)').run(value);
    const results = await Promise.allSettled([
      batcher.run(insert(1)),
      batcher.run(() => {
        db.prepare('INSERT INTO items (value) VALUES (2)').run();
        // Destroys its own savepoint, so the batcher cannot undo this write alone.
        db.exec('RELEASE write');
        throw new Error('broken write');
      }),
      batcher.run(insert(3)),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected', 'fulfilled'],
    );
    const values = db.prepare('SELECT value FROM items ORDER BY value').all().map((row) => row['value']);
    assert.deepEqual(values, [3], 'nothing of the broken batch was committed; the write that never ran was');
    await batcher.close();
    db.close();
  });

  it('rolls back a failing write alone; its neighbours in the same transaction commit', async () => {
    const store = await openSqliteStore({ path: freshPath() });
    await receive(store, 'drop', 5);
    await store.stock.setHolds('cart_2', [hold('drop', 2, t0Ms + 60_000)], t0Ms);
    await commit(store, 'ord_1', 'cart_1', [{ sku: 'drop', quantity: 1 }]);
    const transactionsBefore = store.stats.transactions;
    const [first, duplicate, product1, product2] = await Promise.allSettled([
      receive(store, 'other', 3),
      // Sells, releases cart_2's hold and takes a number, then fails on the event id that
      // ord_1 already used: all of that must be undone, and only that.
      store.orders.commitOrder({
        draft: draft('ord_2', 'cart_2', [{ sku: 'drop', quantity: 2 }]),
        sales: [{ sku: 'drop', quantity: 2, allowBackorder: false, purchaseLimitPerCustomer: null }],
        events: [{ id: 'evt_ord_1_placed', type: 'order.placed', occurredAtMs: t0Ms }],
        nowMs: t0Ms,
      }),
      store.catalog.createProduct(product('tee')),
      store.catalog.createProduct(product('tee', { id: 'prod_clash' })),
    ]);
    assert.equal(store.stats.transactions, transactionsBefore + 1, 'all four writes shared one transaction');
    assert.equal(first.status, 'fulfilled');
    assert.equal(duplicate.status, 'rejected');
    assert.equal(product1.status, 'fulfilled');
    assert.equal(product2.status, 'rejected');
    assert.deepEqual(await counters(store, 'other'), { onHand: 3, sold: 0, held: 0, available: 3 });
    assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 1, held: 2, available: 2 });
    assert.equal((await store.stock.listHolds('cart_2', t0Ms)).length, 1);
    assert.equal(await store.orders.getOrder('ord_2'), undefined);
    assert.equal(await store.catalog.countProducts(), 1);
    assert.equal(committedNumber(await commit(store, 'ord_3', 'cart_3', [{ sku: 'drop', quantity: 1 }])), 1002, 'the failed order took no number');
    assert.deepEqual(store.checkInvariants(t0Ms), { heldMismatches: [], oversold: [] });
    await store.close();
  });

  it('groups many concurrent writes into few transactions, at most batchMaxOps each', async () => {
    const store = await openSqliteStore({ path: freshPath(), batchMaxOps: 100 });
    await receive(store, 'drop', 1_000);
    const before = store.stats.transactions;
    const results = await Promise.all(Array.from({ length: 500 }, (_, index) => store.stock.setHolds(`cart_${index}`, [hold('drop', 1, t0Ms + 60_000)], t0Ms)));
    assert.ok(results.every((result) => result.ok));
    assert.equal(store.stats.transactions - before, 5);
    assert.equal(store.stats.largestBatch, 100);
    assert.deepEqual(await counters(store, 'drop'), { onHand: 1_000, sold: 0, held: 500, available: 500 });
    await store.close();
  });

  it('lets a small batch wait for more writes once, and commits a large one at once', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    db.exec('CREATE TABLE items (value INTEGER NOT NULL)');
    const batcher = createBatcher(db, { gather: { waitMs: 40, below: 5 } });
    const insert = (value: number) => batcher.run(() => db.prepare('INSERT INTO items (value) VALUES (?)').run(value));
    const startedAt = performance.now();
    const first = [insert(1), insert(2)];
    // Arrives while the two wait, and joins their transaction.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const late = insert(3);
    await Promise.all([...first, late]);
    assert.ok(performance.now() - startedAt >= 35, 'a batch below the bound waited');
    assert.equal(batcher.stats.transactions, 1, 'the late write joined the waiting batch');

    const largeStartedAt = performance.now();
    await Promise.all([4, 5, 6, 7, 8, 9].map(insert));
    assert.ok(performance.now() - largeStartedAt < 35, 'a batch at the bound committed without waiting');
    assert.equal(batcher.stats.transactions, 2);
    assert.equal(batcher.stats.largestBatch, 6);
    await batcher.close();
    db.close();
  });

  it('does not wait to gather once closing: the queued writes commit at once', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    db.exec('CREATE TABLE items (value INTEGER NOT NULL)');
    const batcher = createBatcher(db, { gather: { waitMs: 10_000, below: 100 } });
    const startedAt = performance.now();
    const write = batcher.run(() => db.prepare('INSERT INTO items (value) VALUES (1)').run());
    // The batch is waiting to gather by now.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await batcher.close();
    await write;
    assert.ok(performance.now() - startedAt < 5_000, 'close did not sit out the gathering wait');
    db.close();
  });

  it('finishes queued writes on close, then refuses new ones', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path });
    const pending = Array.from({ length: 10 }, () => receive(store, 'tee-m', 1));
    await store.close();
    await Promise.all(pending);
    await assert.rejects(receive(store, 'tee-m', 1), /closed/);
    await assert.rejects(store.ping(), /closed/);
    const observer = observe(path);
    assert.equal(onHandSeenBy(observer, 'tee-m'), 10);
    observer.close();
  });
});

function committedNumber(result: Awaited<ReturnType<typeof commit>>): number {
  assert.ok(result.ok, `expected a committed order, got ${JSON.stringify(result)}`);
  return result.order.number;
}

describe('sqlite adapter: crash', () => {
  it('keeps every acknowledged write when the process is killed with SIGKILL', async () => {
    const path = freshPath();
    const child = spawn(process.execPath, [join(import.meta.dirname, 'sqlite-crash-child.ts'), path], { stdio: ['ignore', 'pipe', 'ignore'] });
    const acknowledged = await new Promise<number>((resolve, reject) => {
      let last = 0;
      let buffer = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) last = Math.max(last, Number(line.replace('ack ', '')));
        if (last >= 300 && child.exitCode === null) {
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve(last));
      child.on('error', reject);
    });
    assert.ok(acknowledged >= 300, `the child acknowledged ${acknowledged} writes`);
    const store = await openSqliteStore({ path });
    const { onHand } = await counters(store, 'crash');
    assert.ok(onHand >= acknowledged, `on-hand ${onHand} covers all ${acknowledged} acknowledged receipts`);
    assert.equal((await store.stock.listMovements('crash', 1_000)).length >= Math.min(acknowledged, 1_000), true);
    assert.deepEqual(store.checkInvariants(t0Ms), { heldMismatches: [], oversold: [] });
    await store.close();
  });
});

describe('sqlite adapter: Idempotency-Key rows an earlier version left in progress', () => {
  const scope = 'POST /store/carts';
  const leaseMs = 30_000;
  const claiming = (key: string, body: string, requestHash: string, nowMs: number) => ({
    scope,
    key,
    response: { status: 201, body, contentType: 'application/json' },
    claim: { requestHash, nowMs, leaseMs },
  });

  /** A claim row as versions that wrote their claims left it when their process died. */
  function leaveInProgress(path: string, key: string, requestHash: string, leaseUntilMs: number): void {
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at_ms, lease_until_ms) VALUES (?, ?, ?, 'in_progress', ?, ?)").run(scope, key, requestHash, t0Ms, leaseUntilMs);
    db.close();
  }

  it('lets a claiming write take over a row whose lease ran out, and refuses one still leased or of another body, changing nothing', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path });
    leaveInProgress(path, 'expired', 'hash_a', t0Ms + 1_000);
    leaveInProgress(path, 'leased', 'hash_a', t0Ms + 60_000);

    await store.carts.createCart(cart('cart_taken_over'), claiming('expired', '{"id":"cart_taken_over"}', 'hash_a', t0Ms + 2_000));
    assert.equal((await store.carts.getCart('cart_taken_over'))?.id, 'cart_taken_over');
    assert.deepEqual(await store.idempotency.begin(scope, 'expired', 'hash_a', t0Ms + 3_000, leaseMs), { kind: 'replay', status: 201, body: '{"id":"cart_taken_over"}', contentType: 'application/json' });

    await assert.rejects(store.carts.createCart(cart('cart_leased'), claiming('leased', '{"id":"cart_leased"}', 'hash_a', t0Ms + 2_000)), (error: unknown) => isClaimRefused(error));
    await assert.rejects(store.carts.createCart(cart('cart_other_body'), claiming('expired', '{"id":"cart_other_body"}', 'hash_b', t0Ms + 4_000)), (error: unknown) => isClaimRefused(error));
    assert.equal(await store.carts.getCart('cart_leased'), undefined);
    assert.equal(await store.carts.getCart('cart_other_body'), undefined);
    assert.deepEqual(await store.idempotency.begin(scope, 'leased', 'hash_a', t0Ms + 5_000, leaseMs), { kind: 'in-progress' });
    await store.close();
  });

  it('keeps the claim of an order written in a batch that ran again because another write in it failed', async () => {
    const store = await openSqliteStore({ path: freshPath() });
    await receive(store, 'drop', 5);
    const checkoutScope = 'POST /store/carts/cart_1/checkout';
    const [placed, product1, clash] = await Promise.allSettled([
      store.orders.commitOrder({
        draft: draft('ord_1', 'cart_1', [{ sku: 'drop', quantity: 1 }]),
        sales: [{ sku: 'drop', quantity: 1, allowBackorder: false, purchaseLimitPerCustomer: null }],
        events: [{ id: 'evt_ord_1_placed', type: 'order.placed', occurredAtMs: t0Ms }],
        nowMs: t0Ms,
        claim: { scope: checkoutScope, key: 'order', requestHash: 'hash_a', nowMs: t0Ms, leaseMs },
      }),
      store.catalog.createProduct(product('tee')),
      store.catalog.createProduct(product('tee', { id: 'prod_clash' })),
    ]);
    assert.deepEqual([placed.status, product1.status, clash.status], ['fulfilled', 'fulfilled', 'rejected']);
    assert.equal(placed.status === 'fulfilled' && placed.value.ok, true, 'the order was not refused by its own claim from the first run');
    assert.deepEqual(await counters(store, 'drop'), { onHand: 5, sold: 1, held: 0, available: 4 });
    // The claim stays the running request's, as after a batch that ran once.
    assert.deepEqual(await store.idempotency.begin(checkoutScope, 'order', 'hash_a', t0Ms + 1, leaseMs), { kind: 'in-progress' });
    await store.close();
  });

  it('refuses a claiming write that changes nothing when its key is taken, as it was refused before it ran', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path });
    await store.carts.createCart(cart('cart_1'), claiming('kept', '{"id":"cart_1"}', 'hash_a', t0Ms));
    // The same id again changes nothing (a conflict); the key it carries is taken by the first.
    await assert.rejects(store.carts.createCart(cart('cart_1'), claiming('kept', '{"id":"cart_1"}', 'hash_a', t0Ms + 1)), (error: unknown) => isClaimRefused(error));
    await store.close();
  });
});
