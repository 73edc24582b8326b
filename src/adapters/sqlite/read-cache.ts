// A cache for reads of rarely changing data (the catalog), so browsing and every add-to-cart
// stop re-reading and re-decoding the same rows. It is emptied by every catalog write of this
// store (the writer calls invalidate() inside its transaction) and whenever the catalog's
// version row moved, whoever wrote it, so a read never sees older data than SQLite would give
// it. What it hands out is frozen: callers share one object per entry.

import type { Prepare } from './connection.ts';

/** Most entries one cache keeps; when full it starts again empty (queries vary, e.g. searches). */
export const readCacheEntriesMax = 10_000;

export interface ReadCache<T> {
  /** The cached value for `key`, or `load()`'s, frozen and kept until the next change. */
  get(key: string, load: () => T): T;
  /** Forgets everything: the catalog changed. */
  invalidate(): void;
}

/** Freezes a value and everything it holds, so one cached object can be handed to every caller. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

/**
 * One catalog watcher per connection: `changedElsewhere()` is true once after the catalog's
 * version moved (the triggers of migration 7 bump it on every catalog row written, by any
 * connection). Order traffic never moves it, so the caches live as long as the catalog does.
 */
export function catalogVersionWatcher(prepare: Prepare): { changedElsewhere(): boolean } {
  const read = () => prepare('SELECT version FROM catalog_version WHERE id = 1').get()?.['version'];
  let seen: unknown = read();
  // One look per synchronous stretch of code: a request reading several SKUs in a loop asks
  // SQLite once. Nothing can commit between two reads with no await between them.
  let looked = false;
  const forget = () => {
    looked = false;
  };
  return {
    changedElsewhere() {
      if (looked) return false;
      looked = true;
      queueMicrotask(forget);
      const now = read();
      if (now === seen) return false;
      seen = now;
      return true;
    },
  };
}

export function createReadCache<T>(external: { changedElsewhere(): boolean }, onExternalChange: () => void): ReadCache<T> {
  let entries = new Map<string, T>();
  return {
    get(key, load) {
      if (external.changedElsewhere()) onExternalChange();
      const cached = entries.get(key);
      if (cached !== undefined || entries.has(key)) return cached as T;
      const value = deepFreeze(load());
      if (entries.size >= readCacheEntriesMax) entries = new Map();
      entries.set(key, value);
      return value;
    },
    invalidate() {
      if (entries.size > 0) entries = new Map();
    },
  };
}
