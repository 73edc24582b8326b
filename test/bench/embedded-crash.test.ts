// The short crash run: a flash sale while the bench kill -9s its embedded server twice
// and starts it again on the same data dir. After each restart and at the end the auditor must
// find every acknowledged order stored, nothing oversold, no hold left, no duplicate order.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { allZero, auditZeros, readResult, runBench } from '../support/bench-run.ts';
import { tempDir } from '../support/server.ts';

const out = tempDir('bench-embedded-crash');
after(() => out.remove());

const units = 600;
const restarts = 2;

test('a flash sale survives kill -9 and restart: every audit is clean', { timeout: 240_000 }, async () => {
  const { code, output } = await runBench(['crash', '--units', String(units), '--shoppers', '3000', '--restarts', String(restarts), '--hold-ttl-ms', '3000'], out.path);
  assert.equal(code, 0, output);
  const result = readResult(out.path, 'crash');
  assert.equal(result.audit.passed, true, output);
  assert.deepEqual(auditZeros(result.audit), allZero);
  assert.equal(result.restarts?.length, restarts, 'the server was killed and restarted as often as asked');
  for (const restart of result.restarts ?? []) assert.equal(restart.audit.passed, true, `audit after restart ${restart.restart}: ${output}`);
  assert.deepEqual(result.race, { ...result.race, sold: units, soldOut: true });
  assert.ok(result.audit.acknowledged > 0 && result.audit.stored >= result.audit.acknowledged);
});
