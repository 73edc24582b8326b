// A short flash sale through the real bench against the scale-out topology: PostgreSQL, Redis,
// two instances and HAProxy on loopback. The bench exits non-zero when its audit fails; this
// test also reads the audit it wrote. Behaviour only: the rates it measures are not asserted.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { allZero, auditZeros, readResult, runBench } from '../support/bench-run.ts';
import { haproxyMissing } from '../support/haproxy.ts';
import { postgresSkipReason } from '../support/postgres-server.ts';
import { redisSkipReason } from '../support/redis-server.ts';
import { tempDir } from '../support/server.ts';

const skip = postgresSkipReason() || redisSkipReason() || haproxyMissing() || false;
if (skip !== false && process.env['CI'] === 'true') throw new Error(`CI must run the scale-out flash sale: ${skip}`);
const out = tempDir('bench-scale-out');
after(() => out.remove());

const units = 100;
const shoppers = 600;

test('a short scale-out flash sale audits clean: nothing missing, oversold, leaked or duplicated', { skip, timeout: 240_000 }, async () => {
  const { code, output } = await runBench(['flash-sale', '--topology', 'scale-out', '--instances', '2', '--units', String(units), '--shoppers', String(shoppers), '--duration', '2', '--warm-up', '2'], out.path);
  assert.equal(code, 0, output);
  const { audit, race } = readResult(out.path, 'flash-sale');
  assert.equal(audit.passed, true, output);
  assert.deepEqual(auditZeros(audit), allZero);
  assert.deepEqual(race, { ...race, sold: units, soldOut: true }, `${shoppers} shoppers bought exactly the ${units} units`);
  assert.ok(audit.acknowledged > units, 'the rate runs after the race sold more');
  assert.ok(audit.stored >= audit.acknowledged);
});
