// Runs the Store contract suite on the embedded SQLite adapter, one fresh file per test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { runContract } from './run-contract.ts';

const directory = mkdtempSync(join(tmpdir(), 'peakcart-contract-'));
let storeCounter = 0;

after(() => rmSync(directory, { recursive: true, force: true }));

runContract({
  name: 'sqlite',
  claimsInWrites: true,
  makeStore: () => openSqliteStore({ path: join(directory, `store-${(storeCounter += 1)}`, 'peakcart.sqlite') }),
});
