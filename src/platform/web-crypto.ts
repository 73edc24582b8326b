// Ids, secrets and hashes from the Web Crypto API, which Node and Workers both provide.

import type { Ids } from '../core/ports.ts';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomText(length: number): string {
  // 62 symbols: rejecting bytes >= 248 keeps every symbol equally likely.
  let text = '';
  while (text.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte < 248 && text.length < length) text += alphabet[byte % 62];
    }
  }
  return text;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export const webCryptoIds: Ids = {
  // 22 symbols of 62 are about 131 bits: unguessable, which makes a cart id a capability.
  newId: (prefix) => `${prefix}_${randomText(22)}`,
  newSecret: () => randomText(32),
  hashSecret: sha256Hex,
};
