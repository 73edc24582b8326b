// Opens the one SQLite file of the embedded store with the pragmas its promises rest on, and
// caches prepared statements so each SQL text is compiled once per connection.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** How long a writer waits for another connection's lock before SQLITE_BUSY. */
export const busyTimeoutMs = 5_000;

export function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // `timeout` is SQLite's busy_timeout: a second process on the same file waits, not fails.
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs });
  db.exec('PRAGMA journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL skips the fsync of the WAL at each commit, so a power
  // loss can take back transactions we already acknowledged. An acknowledged order must survive.
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  return db;
}

/** Returns the prepared statement for this SQL text, preparing it on first use only. */
export type Prepare = (sql: string) => StatementSync;

export function statementCache(db: DatabaseSync): Prepare {
  const cache = new Map<string, StatementSync>();
  return (sql) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}
