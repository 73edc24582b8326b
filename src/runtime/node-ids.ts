// Ids, secrets and hashes for the Node runtime: the same formats as platform/web-crypto.ts
// (62-symbol text, SHA-256 hex), but drawn from a pool of random bytes and hashed synchronously,
// because Web Crypto's per-call promise and job costs more than the hash on the hot path.

import { hash, randomFillSync } from 'node:crypto';
import type { Ids } from '../core/ports.ts';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Random bytes fetched from the OS at once; refilled when used up. */
const poolBytes = 4096;

const pool = new Uint8Array(poolBytes);
let poolOffset = poolBytes;

function randomByte(): number {
  if (poolOffset === poolBytes) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++] ?? 0;
}

const alphabetCodes = Array.from(alphabet, (symbol) => symbol.charCodeAt(0));

function randomText(length: number): string {
  // Char codes first and one string at the end: appending a symbol at a time made a chain of
  // one-character strings per id, 2.5% of the event loop's allocations under a flash sale.
  const codes: number[] = new Array<number>(length);
  let filled = 0;
  while (filled < length) {
    const byte = randomByte();
    // 62 symbols: rejecting bytes >= 248 keeps every symbol equally likely.
    if (byte < 248) codes[filled++] = alphabetCodes[byte % 62] ?? 0;
  }
  return String.fromCharCode(...codes);
}

/** In ASCII order, so that a fixed-width number written with it sorts as the number does. */
const sortableAlphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^8 milliseconds are about 6,900 years. */
const timeSymbols = 8;

/**
 * The creation time, fixed width and sortable. Ids made close in time then sort close together,
 * so the store's indexes on them take new rows at one edge of the B-tree instead of dirtying a
 * random page per row (which made every group commit write hundreds of pages).
 */
function timePrefix(nowMs: number): string {
  let text = '';
  let rest = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < timeSymbols; i++) {
    text = sortableAlphabet[rest % 62] + text;
    rest = Math.floor(rest / 62);
  }
  return text;
}

/** One call, no Hash object: half the cost of createHash().update().digest() per request body. */
export function sha256HexSync(text: string): string {
  return hash('sha256', text, 'hex');
}

export const nodeIds: Ids = {
  // 22 random symbols of 62 are about 131 bits: unguessable, which makes a cart id a
  // capability. The time before them adds no guessable part to those bits.
  newId: (prefix) => `${prefix}_${timePrefix(Date.now())}${randomText(22)}`,
  newSecret: () => randomText(32),
  hashSecret: async (secret) => sha256HexSync(secret),
};
