// Child process for the crash test: receives one unit at a time on the embedded store and
// prints "ack <n>" only after the write's promise resolved. The parent kills it with SIGKILL.

import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: sqlite-crash-child.ts <database path>');
const store = await openSqliteStore({ path });
let acknowledged = 0;
// Several writers at once, so acknowledgements come from group commits of many writes.
async function writer(): Promise<never> {
  for (;;) {
    await store.stock.applyMovement({ sku: 'crash', type: 'receive', quantity: 1, reason: 'crash test', reference: null, allowBelowCommitted: false }, 0);
    acknowledged += 1;
    process.stdout.write(`ack ${acknowledged}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, writer));
