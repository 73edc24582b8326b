// The bench's command line, for the options whose defaults decide what a figure means.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions } from '../../bench/options.ts';
import { warmUpMsOf } from '../../bench/scenarios/common.ts';

test('every measured window is preceded by six seconds of warm-up unless told otherwise', () => {
  const options = parseOptions(['flash-sale'], {});
  assert.equal(options.warmUpS, 6);
  assert.equal(warmUpMsOf(options), 6_000);
});

test('--warm-up takes a number of seconds, none included', () => {
  assert.equal(warmUpMsOf(parseOptions(['ceiling', '--warm-up', '0'], {})), 0);
  assert.equal(warmUpMsOf(parseOptions(['browse', '--warm-up', '2'], {})), 2_000);
});

test('a warm-up that is not a number of seconds in range is refused, naming the option', () => {
  for (const bad of ['-1', 'soon', '601']) {
    assert.throws(() => parseOptions(['flash-sale', '--warm-up', bad], {}), (error: Error) => error.message.startsWith('--warm-up must be a number from 0 to 600'));
  }
  assert.throws(() => parseOptions(['flash-sale', '--warm-up'], {}), /--warm-up needs a value/);
});
