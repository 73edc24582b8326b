// What the no-op rates beside a window say about the box, for a reader of the ratios.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { besideWarnings } from '../../bench/scenarios/ceiling.ts';

test('no warning while the no-op rates beside a window and the ceiling agree within a quarter', () => {
  assert.deepEqual(besideWarnings({ beforeRps: 30_000, afterRps: 26_000, meanRps: 28_000 }, 31_000), []);
  assert.deepEqual(besideWarnings({ beforeRps: 30_000, afterRps: 26_000, meanRps: 28_000 }, null), []);
});

test('the box slowing down or speeding up during the window is told, either way', () => {
  const slower = besideWarnings({ beforeRps: 31_019, afterRps: 15_985, meanRps: 23_502 }, null);
  assert.equal(slower.length, 1);
  assert.match(slower[0] ?? '', /31019 req\/s before the window and 15985 after \(64% apart\)/);
  const faster = besideWarnings({ beforeRps: 15_985, afterRps: 31_019, meanRps: 23_502 }, null);
  assert.match(faster[0] ?? '', /64% apart/);
});

test('a ceiling measured at another speed of the box than the window is told', () => {
  const warnings = besideWarnings({ beforeRps: 22_000, afterRps: 23_000, meanRps: 22_500 }, 33_780);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /\(22500 req\/s\) is 40% away from ceilingRps \(33780\)/);
});
