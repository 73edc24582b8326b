// What every core service is given: the store, the clock, ids, payments and the configuration.

import type { ShopConfig } from './config.ts';
import type { Clock, Ids, PaymentProvider, Store } from './ports.ts';

export interface CoreDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  payments: PaymentProvider;
  config: ShopConfig;
  /**
   * Takes a write that may finish after the shopper was answered: the checkout's mark-paid, once
   * the order is durable and its money taken (checkout.ts). The runtime lets it run, reports it if
   * it fails and waits for it before the store closes. Without it, the checkout waits for it.
   */
  afterAnswer?: (write: Promise<unknown>, what: string) => void;
}
