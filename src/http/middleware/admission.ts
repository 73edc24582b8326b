// Admission control: a bounded number of dynamic requests run at once per class; the rest are
// told at once to come back (503 + Retry-After) instead of queueing into a timeout storm.
// Checkout has its own, larger budget, so browsing and carts can never starve it.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

/** One class's budget. The app and the order fast path count into the same gate. */
export interface Gate {
  readonly name: string;
  readonly inFlightMax: number;
  inFlight: number;
}

export interface AdmissionGates {
  checkout: Gate;
  cart: Gate;
  admin: Gate;
}

export function admissionGates(inFlightMax: { checkout: number; cart: number; admin: number }): AdmissionGates {
  const gate = (name: string, max: number): Gate => ({ name, inFlightMax: max, inFlight: 0 });
  return { checkout: gate('checkout', inFlightMax.checkout), cart: gate('cart', inFlightMax.cart), admin: gate('admin', inFlightMax.admin) };
}

/** Takes a place in the gate, or says there is none; whoever took one gives it back. */
export function enter(gate: Gate): boolean {
  if (gate.inFlight >= gate.inFlightMax) return false;
  gate.inFlight++;
  return true;
}

export function leave(gate: Gate): void {
  gate.inFlight--;
}

export function admission(gate: Gate): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!enter(gate)) return problemResponse(c, 'overloaded', `Too many ${gate.name} requests at once; retry shortly.`);
    try {
      await next();
    } finally {
      leave(gate);
    }
  };
}
