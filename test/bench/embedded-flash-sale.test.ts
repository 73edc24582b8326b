// The short flash sale, run by `npm test`: 2,000 shoppers race for 200 units of one
// limited SKU on a fresh embedded server the bench starts itself, then the rate and latency
// runs; the auditor must find every acknowledged order stored and nothing oversold, leaked or
// duplicated. Rates are measured, never asserted; the test only checks that they were recorded,
// the no-op rate beside the max-rate window included, and that the ratio is the one they give.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { allZero, auditZeros, readResult, runBench } from '../support/bench-run.ts';
import { tempDir } from '../support/server.ts';

const out = tempDir('bench-embedded-flash-sale');
after(() => out.remove());

const units = 200;
const shoppers = 2_000;

test('a short embedded flash sale audits clean and sells exactly the stock', { timeout: 180_000 }, async () => {
  const { code, output } = await runBench(['flash-sale', '--units', String(units), '--shoppers', String(shoppers), '--duration', '2'], out.path);
  assert.equal(code, 0, output);
  const { audit, race, ordersPerS, ceilingBeside, ratioToCeilingBeside } = readResult(out.path, 'flash-sale');
  assert.equal(audit.passed, true, output);
  assert.deepEqual(auditZeros(audit), allZero);
  assert.deepEqual(race, { ...race, sold: units, soldOut: true }, `${shoppers} shoppers bought exactly the ${units} units`);
  assert.ok(audit.stored >= audit.acknowledged);
  assert.ok(ceilingBeside !== undefined && ceilingBeside.beforeRps > 0 && ceilingBeside.afterRps > 0, output);
  assert.equal(ceilingBeside.meanRps, Math.round(((ceilingBeside.beforeRps + ceilingBeside.afterRps) / 2) * 10) / 10);
  assert.equal(ratioToCeilingBeside, Math.round(((ordersPerS ?? 0) / ceilingBeside.meanRps) * 1000) / 1000);
});
