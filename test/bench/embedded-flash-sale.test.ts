// The short flash sale, run by `npm test`: 2,000 shoppers race for 200 units of one
// limited SKU on a fresh embedded server the bench starts itself, then the rate and latency
// runs; the auditor must find every acknowledged order stored and nothing oversold, leaked or
// duplicated. Rates are measured, never asserted; the test only checks that they were recorded,
// the no-op rate beside the max-rate window included, that the ratio is the one they give, and
// that the max-rate window is counted after its warm-up, from the orders acknowledged in it.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { allZero, auditZeros, readAcks, readResult, runBench } from '../support/bench-run.ts';
import { tempDir } from '../support/server.ts';

const out = tempDir('bench-embedded-flash-sale');
after(() => out.remove());

const units = 200;
const shoppers = 2_000;
/** Shorter than the bench's default, to keep the test short; the mechanics are the same. */
const warmUpS = 2;

test('a short embedded flash sale audits clean and sells exactly the stock', { timeout: 180_000 }, async () => {
  const { code, output } = await runBench(['flash-sale', '--units', String(units), '--shoppers', String(shoppers), '--duration', '2', '--warm-up', String(warmUpS)], out.path);
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

test('the max-rate window counts only the orders acknowledged after its warm-up', () => {
  const { runs, ordersPerS } = readResult(out.path, 'flash-sale');
  const maxRate = runs?.find((run) => run.name === 'flash-sale max rate');
  assert.ok(maxRate !== undefined && ordersPerS !== undefined);
  const phases = maxRate.series.map((second) => second.phase);
  const warmUpSeconds = phases.filter((phase) => phase === 'warm-up').length;
  assert.equal(warmUpSeconds, warmUpS, 'whole seconds of warm-up, as many as asked for');
  assert.deepEqual(phases.slice(0, warmUpSeconds), Array.from({ length: warmUpS }, () => 'warm-up'), 'the warm-up comes first');
  assert.ok(phases.slice(warmUpSeconds).every((phase) => phase === 'closed'), 'then the measured load alone');
  // A few ms of slack: the phase is switched by a 1 s interval timer, which may fire early by its rounding.
  assert.ok(maxRate.measuredFromAtMs - maxRate.firstRequestAtMs >= warmUpS * 1000 - 10, `measured from ${maxRate.measuredFromAtMs - maxRate.firstRequestAtMs} ms`);
  const measured = maxRate.series.filter((second) => second.phase === 'closed');
  assert.equal(maxRate.requests, measured.reduce((sum, second) => sum + second.requests, 0), "the run's requests are the measured seconds' requests");
  const warmUpOrders = maxRate.series.filter((second) => second.phase === 'warm-up').reduce((sum, second) => sum + second.orders, 0);
  assert.ok(warmUpOrders > 0, 'the warm-up took orders');

  const { keyPrefixes, acks } = readAcks(out.path, 'flash-sale');
  const ratePrefix = keyPrefixes.find((prefix) => prefix.endsWith('-rate'));
  assert.ok(ratePrefix !== undefined);
  const rateAcks = acks.filter((ack) => ack.key.startsWith(`${ratePrefix}-`));
  assert.equal(rateAcks.length, warmUpOrders + measured.reduce((sum, second) => sum + second.orders, 0), 'every order of the run, warm-up included, is in the acks the audit reads');
  const windowMs = 2_000;
  const inWindow = rateAcks.filter((ack) => ack.atMs > maxRate.measuredFromAtMs && ack.atMs <= maxRate.measuredFromAtMs + windowMs).length;
  assert.equal(ordersPerS, Math.round((inWindow / (windowMs / 1000)) * 10) / 10);
});
