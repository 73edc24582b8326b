// What every core service is given: the store, the clock, ids, payments and the configuration.

import type { ShopConfig } from './config.ts';
import type { Clock, Ids, PaymentProvider, Store } from './ports.ts';

export interface CoreDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  payments: PaymentProvider;
  config: ShopConfig;
}
