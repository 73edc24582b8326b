// Money is an integer number of minor units (cents) plus an ISO 4217 code; never a float.

import { assert } from './errors.ts';

export type CurrencyCode = string;

export interface Money {
  amountMinor: number;
  currency: CurrencyCode;
}

/** Upper bound on any single amount: keeps every product of amount and rate a safe integer. */
export const amountMinorMax = 100_000_000_000;

const currencyPattern = /^[A-Z]{3}$/;

export function isCurrencyCode(value: string): boolean {
  return currencyPattern.test(value);
}

export function assertAmount(amountMinor: number): void {
  assert(Number.isSafeInteger(amountMinor), `amount ${amountMinor} is not an integer`);
  assert(Math.abs(amountMinor) <= amountMinorMax, `amount ${amountMinor} is out of range`);
}

/** Rounds half away from zero, in integers only: amount * basisPoints / 10_000. */
export function applyBasisPoints(amountMinor: number, basisPoints: number): number {
  assertAmount(amountMinor);
  assert(Number.isSafeInteger(basisPoints) && basisPoints >= 0, 'basis points must be a natural number');
  const scaled = amountMinor * basisPoints;
  const sign = scaled < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(scaled) + 5_000) / 10_000);
}

/** The tax contained in a tax-inclusive gross amount: gross - gross / (1 + rate). */
export function includedTax(grossMinor: number, basisPoints: number): number {
  assertAmount(grossMinor);
  const net = Math.floor((grossMinor * 10_000 * 2 + (10_000 + basisPoints)) / ((10_000 + basisPoints) * 2));
  return grossMinor - net;
}
