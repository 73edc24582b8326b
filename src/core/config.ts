// The shop's configuration as the core sees it. The runtime builds it from environment and
// defaults (src/runtime/config.ts); the core never reads the environment itself.

import { defaultCartPolicy, type CartPolicy } from './policy.ts';
import type { PricingConfig } from './pricing.ts';

export interface ShopConfig {
  currencies: string[];
  defaultCurrency: string;
  policy: CartPolicy;
  pricing: PricingConfig;
  /** At or below this many units, availability says "low stock". */
  lowStockThreshold: number;
  /** Orders still 'placed' this long after they were written get their capture retried. */
  captureRecoveryAfterMs: number;
}

export const defaultPricing: PricingConfig = {
  taxInclusiveCurrencies: ['EUR'],
  taxRateBasisPoints: { US: 0, DE: 1900, FR: 2000, NL: 2100, AT: 2000, IT: 2200, ES: 2100, GB: 2000 },
  shipping: {
    US: [
      { option: 'standard', label: 'Standard (3-5 days)', prices: { USD: 599, EUR: 599 } },
      { option: 'express', label: 'Express (1-2 days)', prices: { USD: 1499, EUR: 1399 } },
    ],
    '*': [
      { option: 'standard', label: 'Standard (5-8 days)', prices: { USD: 999, EUR: 899 } },
      { option: 'express', label: 'Express (2-3 days)', prices: { USD: 2499, EUR: 2299 } },
    ],
  },
};

export const defaultShopConfig: ShopConfig = {
  currencies: ['USD', 'EUR'],
  defaultCurrency: 'USD',
  policy: defaultCartPolicy,
  pricing: defaultPricing,
  lowStockThreshold: 5,
  captureRecoveryAfterMs: 60_000,
};
