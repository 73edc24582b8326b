// The one contract suite every Store adapter runs unchanged (SQLite, PostgreSQL + Redis, Durable
// Objects). It speaks only through the Store interface; an adapter is done when it passes.

import { describe, it } from 'node:test';
import { cartCases } from './cases/cart-cases.ts';
import { catalogCases } from './cases/catalog-cases.ts';
import { claimCases } from './cases/claim-cases.ts';
import { concurrencyCases } from './cases/concurrency-cases.ts';
import { eventCases } from './cases/event-cases.ts';
import { holdCases } from './cases/hold-cases.ts';
import { orderCases } from './cases/order-cases.ts';
import { stockCases } from './cases/stock-cases.ts';
import { storeUser, type ContractStore } from './fixtures.ts';

export interface ContractOptions {
  name: string;
  /** A fresh, empty, migrated store; each test gets its own and closes it. */
  makeStore: () => Promise<ContractStore>;
  /** Why the suite cannot run here (e.g. "PEAKCART_POSTGRES_URL is not set"), or false to run it. */
  skip?: string | false;
  /** The store says its writes claim Idempotency-Keys (`claimsInWrites`): it must keep that promise too. */
  claimsInWrites?: boolean;
}

export function runContract({ name, makeStore, skip = false, claimsInWrites = false }: ContractOptions): void {
  describe(`Store contract: ${name}`, { skip }, () => {
    const use = storeUser(makeStore);
    catalogCases(use);
    stockCases(use);
    holdCases(use);
    orderCases(use);
    cartCases(use);
    eventCases(use);
    concurrencyCases(use);
    claimCases(use, claimsInWrites);
    describe('health', () => {
      it('answers ping', use(async (store) => {
        await store.ping();
      }));
    });
  });
}
