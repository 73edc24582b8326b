// The typed context every route and middleware shares.

import type { Shop } from '../core/shop.ts';
import type { IdempotencySlot } from './middleware/idempotency.ts';
import type { AdmissionGates } from './middleware/admission.ts';
import type { Compress } from './middleware/cache.ts';
import type { HttpLogger, HttpMetrics } from './ports.ts';

export interface AppOptions {
  shop: Shop;
  adminKey: string;
  metrics: HttpMetrics;
  logger: HttpLogger;
  /** Origins allowed to call the Store API from a browser (the storefront's). */
  corsOrigins: string[];
  /** Largest request body accepted, in bytes. */
  bodyBytesMax: number;
  /** Concurrent dynamic requests before new ones are turned away with 503. */
  inFlightMax: { checkout: number; cart: number; admin: number };
  /** The budgets' counters, when something in front of the app (Node's order fast path) counts into them too. */
  gates?: AdmissionGates;
  /** False while the process drains: /readyz then answers 503 so balancers move away. */
  isReady(): boolean;
  /** Extra readiness check of the store. */
  pingStore(): Promise<void>;
  /** SHA-256 hex of a text, when the runtime has a faster one than Web Crypto. */
  hashText?: (text: string) => string | Promise<string>;
  /** Gzips catalog bodies once per change, where the runtime can (Node); the edge compresses on its own. */
  compress?: Compress;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    /** The raw body, read once by the body middleware for parsing and for idempotency. */
    rawBody: string;
    /** Set while a request with an Idempotency-Key runs: its route may keep its own answer. */
    idempotency?: IdempotencySlot;
  };
}
