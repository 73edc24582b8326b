// Serialization failures (SQLSTATE 40001) on a real PostgreSQL: the adapter's transactions run
// again from the start with backoff, as CockroachDB needs for any contention, and a write that
// keeps losing ends as 503 store-unavailable instead of hanging or answering 500.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, transaction, transactionAttemptsMax, type Sql } from '../../src/adapters/postgres/connection.ts';
import { DomainError } from '../../src/core/errors.ts';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../support/postgres-server.ts';

const skip = postgresSkipReason();
let server: PostgresServer | undefined;
let sql: Sql | undefined;

before(async () => {
  if (skip !== false) return;
  server = await startPostgres('retry');
  sql = connect({ url: server.url, poolMax: 4 });
  await sql`CREATE TABLE skew (who TEXT NOT NULL, seen INT NOT NULL)`;
});

after(async () => {
  await sql?.end({ timeout: 1 });
  await server?.destroy();
});

describe('PostgreSQL transactions and serialization failures', { skip }, () => {
  it('runs the loser of a write skew again from the start, and both writes land', async () => {
    const db = sql as Sql;
    const attempts = { a: 0, b: 0 };
    let readers = 0;
    let bothRead: () => void = () => undefined;
    const readBarrier = new Promise<void>((resolve) => (bothRead = resolve));
    // Both first attempts read the table before either writes: under SERIALIZABLE one of them
    // must fail with 40001 (each read what the other then changed).
    const insertAfterCounting = (who: 'a' | 'b') =>
      transaction(db, async (tx) => {
        attempts[who] += 1;
        await tx.unsafe('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
        const [row] = await tx<{ n: number }[]>`SELECT count(*)::int AS n FROM skew`;
        if (attempts[who] === 1) {
          readers += 1;
          if (readers === 2) bothRead();
          await readBarrier;
        }
        await tx`INSERT INTO skew (who, seen) VALUES (${who}, ${row?.n ?? -1})`;
        return row?.n ?? -1;
      });
    const seen = await Promise.all([insertAfterCounting('a'), insertAfterCounting('b')]);
    assert.equal(attempts.a + attempts.b, 3, 'exactly one of the two ran again');
    assert.deepEqual([...seen].sort(), [0, 1], 'the retry saw the winner\'s row');
    const rows = await db<{ who: string }[]>`SELECT who FROM skew ORDER BY who`;
    assert.deepEqual(rows.map((row) => row.who), ['a', 'b']);
  });

  it('gives up after a bounded number of attempts with store-unavailable, not a 500', async () => {
    const db = sql as Sql;
    let attempts = 0;
    const failure = await transaction(db, async (tx) => {
      attempts += 1;
      // A real 40001 raised by the server, every time.
      await tx.unsafe(`DO $$ BEGIN RAISE EXCEPTION 'always loses' USING ERRCODE = '40001'; END $$`);
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof DomainError);
    assert.equal(failure.code, 'store-unavailable');
    assert.equal(attempts, transactionAttemptsMax);
  });
});
