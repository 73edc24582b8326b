// The Node runtime's ids: a cart id is a capability, so its random part must be long and drawn
// from the whole alphabet; its time part must sort as creation time does (the store's indexes
// rely on it to take new rows at one edge of their B-trees).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeIds, sha256HexSync } from '../../src/runtime/node-ids.ts';

const idShape = /^cart_[0-9A-Za-z]{8}[0-9A-Za-z]{22}$/;

describe('nodeIds', () => {
  it('makes ids of a prefix, 8 time symbols and 22 random symbols', () => {
    for (let i = 0; i < 1_000; i++) assert.match(nodeIds.newId('cart'), idShape);
  });

  it('never repeats an id, and uses every symbol of the alphabet', () => {
    const ids = Array.from({ length: 20_000 }, () => nodeIds.newId('cart'));
    assert.equal(new Set(ids).size, ids.length);
    const symbols = new Set(ids.flatMap((id) => [...id.slice('cart_'.length + 8)]));
    assert.equal(symbols.size, 62);
  });

  it('sorts ids made in different milliseconds by time, whatever their random part', async () => {
    const first = nodeIds.newId('ord');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = nodeIds.newId('ord');
    // Byte order, as SQLite compares TEXT by default.
    assert.ok(Buffer.compare(Buffer.from(first), Buffer.from(second)) < 0, `${first} should sort before ${second}`);
  });

  it('makes 32-symbol secrets and hashes them as SHA-256 hex', async () => {
    const secret = nodeIds.newSecret();
    assert.match(secret, /^[0-9A-Za-z]{32}$/);
    assert.equal(await nodeIds.hashSecret(secret), sha256HexSync(secret));
    assert.equal(sha256HexSync('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes request bodies as UTF-8, so a body with any text has one hash', () => {
    // The digest of the UTF-8 bytes (as createHash().update(text, 'utf8') gives it).
    assert.equal(sha256HexSync('Zürich ✓'), 'cda96df1e1699e7873a8ff750a11c9f7772dcb8a2ac32de29490d4312f41599e');
  });
});
