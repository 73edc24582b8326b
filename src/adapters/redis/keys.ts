// Redis key names. Every key of one SKU carries the same hash tag, {sku}, so each stock script
// touches one slot and runs unchanged on a single node and on Redis Cluster.

/** Braces inside a SKU would cut the hash tag short (or empty it), so they are escaped. */
function tagOf(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('{', '%7B').replaceAll('}', '%7D');
}

/** The SKU back from its escaped hash tag. */
export function untag(tag: string): string {
  return tag.replaceAll('%7D', '}').replaceAll('%7B', '{').replaceAll('%25', '%');
}

export interface SkuKeys {
  /** Hash: loaded, onHand, sold, pending, held, and the reload fields (drain, drainSinceMs, loadNotBeforeMs). */
  stock: string;
  /** Hash: cart id -> units held. */
  holdQuantity: string;
  /** Sorted set: cart id -> expiresAtMs. */
  holdExpiry: string;
  /** Hash: intent id -> JSON of a store write in flight (a sale or a movement). */
  intents: string;
  /** Sorted set: intent id -> when it began (Redis clock, ms), to find stale intents cheaply. */
  intentAge: string;
  /** Lock serialising on-hand changes of one SKU (a WMS sync reads, then writes). */
  movementLock: string;
}

export function skuKeys(prefix: string, sku: string): SkuKeys {
  const base = `${prefix}:{${tagOf(sku)}}`;
  return {
    stock: `${base}:stock`,
    holdQuantity: `${base}:hold-qty`,
    holdExpiry: `${base}:hold-exp`,
    intents: `${base}:intents`,
    intentAge: `${base}:intent-age`,
    movementLock: `${base}:movement-lock`,
  };
}

/** The script keys of a SKU, in the order every stock script declares them. */
export function scriptKeys(keys: SkuKeys): [string, string, string, string, string] {
  return [keys.stock, keys.holdQuantity, keys.holdExpiry, keys.intents, keys.intentAge];
}

/** Set of the SKUs one cart may hold (a superset: it is an index, the SKU keys are the truth). */
export function cartKey(prefix: string, cartId: string): string {
  return `${prefix}:cart:{${tagOf(cartId)}}:skus`;
}

/** Lock serialising the checkouts of one cart (orders.ts). */
export function cartCommitLockKey(prefix: string, cartId: string): string {
  return `${prefix}:cart:{${tagOf(cartId)}}:commit-lock`;
}

/** Sorted set: SKU -> the earliest expiry it may have (a hint for the sweeper). */
export function holdIndexKey(prefix: string): string {
  return `${prefix}:hold-index`;
}

/** Set of SKUs whose cached counters may be off and must be reloaded from the store. */
export function dirtyKey(prefix: string): string {
  return `${prefix}:dirty`;
}
