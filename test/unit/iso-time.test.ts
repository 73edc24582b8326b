// The views' time formatter must write what Date#toISOString writes, for every instant: an API
// client parses these, and the storefront compares them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isoTime } from '../../src/http/iso-time.ts';

describe('isoTime', () => {
  it('writes what toISOString writes, for any instant of years 1970 to 9999', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => isoTime(ms) === new Date(ms).toISOString()), { numRuns: 20_000 });
  });

  it('writes the right day on both sides of midnight, and after a day it had not seen', () => {
    const midnight = Date.UTC(2026, 11, 1);
    for (const ms of [midnight - 1, midnight, midnight + 1, midnight + 86_399_999, midnight - 86_400_000 * 400, midnight]) {
      assert.equal(isoTime(ms), new Date(ms).toISOString());
    }
    assert.equal(isoTime(Date.UTC(2028, 1, 29, 23, 59, 59, 999)), '2028-02-29T23:59:59.999Z');
  });

  it('writes the right day when two or three days take turns, as a cart and its expiry do', () => {
    const now = Date.UTC(2026, 11, 7, 12, 30);
    const days = [now, now + 7 * 86_400_000, now + 1, now + 7 * 86_400_000 + 1, now + 3 * 86_400_000, now + 2, now + 7 * 86_400_000 + 2];
    for (const ms of [...days, ...days.reverse()]) assert.equal(isoTime(ms), new Date(ms).toISOString());
  });

  it('leaves the instants outside those years, and fractions, to Date', () => {
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 1.5, 8.64e15]) assert.equal(isoTime(ms), new Date(ms).toISOString());
    assert.throws(() => isoTime(Number.NaN), RangeError);
    assert.throws(() => isoTime(8.64e15 + 1), RangeError);
  });
});
