// Admission control: a bounded number of dynamic requests run at once per class; the rest are
// told at once to come back (503 + Retry-After) instead of queueing into a timeout storm.
// Checkout has its own, larger budget, so browsing and carts can never starve it.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

export function admission(name: string, inFlightMax: number): MiddlewareHandler<AppEnv> {
  let inFlight = 0;
  return async (c, next) => {
    if (inFlight >= inFlightMax) {
      return problemResponse(c, 'overloaded', `Too many ${name} requests at once; retry shortly.`);
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}
