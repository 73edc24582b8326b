// Runs the Store contract suite on the embedded store as `peakcart serve` opens it: reads on a
// read-only connection in this thread, every write on the SQLite writer thread.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openThreadedSqliteStore } from '../../src/adapters/sqlite/threaded-store.ts';
import { runContract } from './run-contract.ts';

const directory = mkdtempSync(join(tmpdir(), 'peakcart-contract-threaded-'));
let storeCounter = 0;

after(() => rmSync(directory, { recursive: true, force: true }));

runContract({
  name: 'sqlite, writer thread',
  claimsInWrites: true,
  makeStore: () => openThreadedSqliteStore({ path: join(directory, `store-${(storeCounter += 1)}`, 'peakcart.sqlite') }),
});
