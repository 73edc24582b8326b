// Threaded SQLite stores for a test file, each in a file of its own under one temporary
// directory that goes when the file's tests end.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openThreadedSqliteStore, type ThreadedSqliteStore } from '../../src/adapters/sqlite/threaded-store.ts';

export function threadedStores(prefix: string): {
  /** A path no store of this file has used yet. */
  nextPath(): string;
  /** Runs `test` on a fresh store and closes it after, whatever the test did. */
  withStore(test: (store: ThreadedSqliteStore) => Promise<void>): Promise<void>;
} {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  let counter = 0;
  after(() => rmSync(directory, { recursive: true, force: true }));
  const nextPath = () => join(directory, `store-${(counter += 1)}`, 'peakcart.sqlite');
  return {
    nextPath,
    async withStore(test) {
      const store = await openThreadedSqliteStore({ path: nextPath() });
      try {
        await test(store);
      } finally {
        await store.close();
      }
    },
  };
}
