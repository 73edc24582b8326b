// Opens the one SQLite file of the embedded store with the pragmas its promises rest on, and
// caches prepared statements so each SQL text is compiled once per connection.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementResultingChanges } from 'node:sqlite';
import { writerCheckpointBackstopPages } from './checkpoints.ts';

/** How long a writer waits for another connection's lock before SQLITE_BUSY. */
export const busyTimeoutMs = 5_000;

/** A read-only connection reads beside the writer (WAL lets it); SQLite itself refuses its writes. */
export function openDatabase(path: string, options: { readOnly?: boolean; checkpointBeside?: boolean } = {}): DatabaseSync {
  const readOnly = options.readOnly ?? false;
  if (path !== ':memory:' && !readOnly) mkdirSync(dirname(path), { recursive: true });
  // `timeout` is SQLite's busy_timeout: a second process on the same file waits, not fails.
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs, readOnly });
  // The journal mode is the file's own; only the connection that creates the file sets it.
  if (!readOnly) db.exec('PRAGMA journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL skips the fsync of the WAL at each commit, so a power
  // loss can take back transactions we already acknowledged. An acknowledged order must survive.
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  // Every batched write runs in a SAVEPOINT, and SQLite keeps what a savepoint would undo in a
  // statement journal that spills to a temporary file past 64 KiB: 60% of the bytes this
  // process wrote under a flash sale went there, none of it needed after COMMIT. In memory, a
  // batch's journal is bounded by the batch (at most batchOpsMax writes).
  db.exec('PRAGMA temp_store = MEMORY');
  if (options.checkpointBeside === true && !readOnly) db.exec(`PRAGMA wal_autocheckpoint = ${writerCheckpointBackstopPages}`);
  return db;
}

/** A prepared statement: parameters by name (one object) or by position, as node:sqlite takes them. */
export interface Statement {
  run(...parameters: Parameters): StatementResultingChanges;
  get(...parameters: Parameters): Record<string, SQLOutputValue> | undefined;
  all(...parameters: Parameters): Record<string, SQLOutputValue>[];
}

type Parameters = SQLInputValue[] | [Record<string, SQLInputValue>];

/** Returns the prepared statement for this SQL text, preparing it on first use only. */
export type Prepare = (sql: string) => Statement;

export function statementCache(db: DatabaseSync): Prepare {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepareStatement(db, sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

/**
 * node:sqlite binds a parameter object name by name, and that costs several times more than
 * binding the same values by position (about 20 us against 5 us for an order row's 16). The
 * SQL keeps its readable :names; they are numbered here, and an object is turned into the
 * values in that order before binding. An unknown or missing name is still an error.
 */
function prepareStatement(db: DatabaseSync, sql: string): Statement {
  const { numbered, names } = numberNamedParameters(sql);
  const statement = db.prepare(numbered);
  if (names.length === 0) return statement as Statement;
  const positional = (parameters: Parameters): SQLInputValue[] => {
    const [first] = parameters;
    if (parameters.length !== 1 || typeof first !== 'object' || first === null || ArrayBuffer.isView(first)) return parameters as SQLInputValue[];
    const values: SQLInputValue[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const value = first[names[i] as string];
      if (value === undefined) throw new Error(`Missing named parameter '${names[i]}'`);
      values[i] = value;
    }
    const given = Object.keys(first);
    if (given.length !== names.length) {
      const unknown = given.find((name) => !names.includes(name));
      throw new Error(`Unknown named parameter '${unknown}'`);
    }
    return values;
  };
  return {
    run: (...parameters) => statement.run(...positional(parameters)),
    get: (...parameters) => statement.get(...positional(parameters)),
    all: (...parameters) => statement.all(...positional(parameters)),
  };
}

/** Rewrites :name parameters (outside quoted text) as ?1, ?2, … in order of first use. */
export function numberNamedParameters(sql: string): { numbered: string; names: string[] } {
  const names: string[] = [];
  let numbered = '';
  let i = 0;
  while (i < sql.length) {
    const character = sql[i] as string;
    if (character === "'" || character === '"') {
      const end = sql.indexOf(character, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      numbered += sql.slice(i, stop);
      i = stop;
      continue;
    }
    const name = character === ':' ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))?.[0] : undefined;
    if (name === undefined) {
      numbered += character;
      i++;
      continue;
    }
    let index = names.indexOf(name);
    if (index === -1) index = names.push(name) - 1;
    numbered += `?${index + 1}`;
    i += name.length + 1;
  }
  return { numbered, names };
}
