// A cache for reads of rarely changing data (the catalog), so browsing and every add-to-cart
// stop re-reading and re-decoding the same rows. It is emptied by every catalog write of this
// store (the writer calls invalidate() inside its transaction, or the writer thread tells the
// reading connection before the write's promise settles), and within a second of a catalog
// change another process made to the file. What it hands out is frozen: callers share one
// object per entry.

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

/** How stale a catalog change made by another process may be read (a CLI seeding the file). */
export const externalCatalogRecheckMs = 1_000;

export interface CatalogWatcher {
  /** True once after the catalog changed without this connection's caches being told. */
  changedElsewhere(): boolean;
  /** This process changed the catalog through another connection (its writer thread). */
  changed(): void;
}

/**
 * One catalog watcher per connection. Catalog writes made through this store empty the caches
 * themselves (inside their transaction, or, from the writer thread, through changed() before
 * their promise settles), so this only has to notice another process's: it reads the catalog's
 * version row (bumped by the triggers of migration 7) at most once per recheckMs. Read on every
 * request, that one-row read cost a sixth of the event loop's time while browsing.
 */
export function catalogVersionWatcher(prepare: Prepare, recheckMs: number = externalCatalogRecheckMs): CatalogWatcher {
  const read = () => prepare('SELECT version FROM catalog_version WHERE id = 1').get()?.['version'];
  let seen: unknown = read();
  let lookedAtMs = performance.now();
  let told = false;
  return {
    changedElsewhere() {
      if (told) {
        told = false;
        seen = read();
        lookedAtMs = performance.now();
        return true;
      }
      const nowMs = performance.now();
      if (nowMs - lookedAtMs < recheckMs) return false;
      lookedAtMs = nowMs;
      const now = read();
      if (now === seen) return false;
      seen = now;
      return true;
    },
    changed() {
      told = true;
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
