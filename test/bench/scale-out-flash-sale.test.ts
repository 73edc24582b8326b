// A short flash sale through the real bench against the scale-out topology: PostgreSQL, Redis,
// two instances and HAProxy on loopback. The bench exits non-zero when its audit fails; this
// test also reads the audit it wrote. Behaviour only: the rates it measures are not asserted.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { haproxyMissing } from '../support/haproxy.ts';
import { postgresSkipReason } from '../support/postgres-server.ts';
import { redisSkipReason } from '../support/redis-server.ts';
import { tempDir } from '../support/server.ts';

const skip = postgresSkipReason() || redisSkipReason() || haproxyMissing() || false;
if (skip !== false && process.env['CI'] === 'true') throw new Error(`CI must run the scale-out flash sale: ${skip}`);
const projectRoot = join(import.meta.dirname, '..', '..');
const out = tempDir('bench-scale-out');
after(() => out.remove());

const units = 100;
const shoppers = 600;

test('a short scale-out flash sale audits clean: nothing missing, oversold, leaked or duplicated', { skip, timeout: 240_000 }, async () => {
  const args = ['--disable-warning=ExperimentalWarning', join(projectRoot, 'bench/main.ts'), 'flash-sale', '--topology', 'scale-out', '--instances', '2',
    '--units', String(units), '--shoppers', String(shoppers), '--duration', '2', '--out', out.path, '--quiet'];
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', resolve);
  });
  assert.equal(code, 0, output);
  const result = JSON.parse(readFileSync(join(out.path, 'flash-sale.json'), 'utf8')) as {
    audit: { acknowledged: number; stored: number; missing: number; oversold: number; leakedHolds: number; duplicateOrders: number; passed: boolean };
    race: { sold: number; soldOut: boolean };
  };
  const { audit } = result;
  assert.equal(audit.passed, true, output);
  assert.deepEqual({ missing: audit.missing, oversold: audit.oversold, leakedHolds: audit.leakedHolds, duplicateOrders: audit.duplicateOrders }, { missing: 0, oversold: 0, leakedHolds: 0, duplicateOrders: 0 });
  assert.deepEqual(result.race, { ...result.race, sold: units, soldOut: true }, `${shoppers} shoppers bought exactly the ${units} units`);
  assert.ok(audit.acknowledged > units, 'the rate runs after the race sold more');
  assert.ok(audit.stored >= audit.acknowledged);
});
