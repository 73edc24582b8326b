// Totals of a cart or order: subtotal, flat-rate shipping per country, and tax per country,
// with prices either tax-inclusive or tax-exclusive per currency. Integers only.

import { DomainError } from './errors.ts';
import { applyBasisPoints, includedTax, type CurrencyCode } from './money.ts';

export interface Totals {
  currency: CurrencyCode;
  subtotalMinor: number;
  shippingMinor: number;
  taxMinor: number;
  totalMinor: number;
  /** True when the prices already contain the tax (taxMinor is then informational). */
  taxIncluded: boolean;
}

export interface ShippingRate {
  option: string;
  label: string;
  /** Price per currency in minor units. */
  prices: Record<CurrencyCode, number>;
}

export interface PricingConfig {
  /** Currencies whose prices include tax (EUR in the EU); the rest add tax on top. */
  taxInclusiveCurrencies: CurrencyCode[];
  /** Tax rate per ISO country code, in basis points (19% = 1900). */
  taxRateBasisPoints: Record<string, number>;
  /** Flat-rate shipping options per ISO country code; '*' is the rest of the world. */
  shipping: Record<string, ShippingRate[]>;
}

export function shippingOptionsFor(config: PricingConfig, country: string): ShippingRate[] {
  return config.shipping[country] ?? config.shipping['*'] ?? [];
}

export function shippingPrice(config: PricingConfig, country: string, option: string, currency: CurrencyCode): number {
  const rate = shippingOptionsFor(config, country).find((candidate) => candidate.option === option);
  const price = rate?.prices[currency];
  if (rate === undefined || price === undefined) {
    throw new DomainError('shipping-unavailable', `Shipping option '${option}' is not available to ${country} in ${currency}.`, {
      options: shippingOptionsFor(config, country).map((candidate) => candidate.option),
    });
  }
  return price;
}

/** Totals before an address is known: no shipping, no tax on top. */
export function cartTotals(config: PricingConfig, currency: CurrencyCode, subtotalMinor: number): Totals {
  const taxIncluded = config.taxInclusiveCurrencies.includes(currency);
  return { currency, subtotalMinor, shippingMinor: 0, taxMinor: 0, totalMinor: subtotalMinor, taxIncluded };
}

export function orderTotals(config: PricingConfig, currency: CurrencyCode, subtotalMinor: number, shippingMinor: number, country: string): Totals {
  const taxIncluded = config.taxInclusiveCurrencies.includes(currency);
  const rate = config.taxRateBasisPoints[country] ?? 0;
  const taxable = subtotalMinor + shippingMinor;
  if (taxIncluded) {
    return { currency, subtotalMinor, shippingMinor, taxMinor: includedTax(taxable, rate), totalMinor: taxable, taxIncluded };
  }
  const taxMinor = applyBasisPoints(taxable, rate);
  return { currency, subtotalMinor, shippingMinor, taxMinor, totalMinor: taxable + taxMinor, taxIncluded };
}
