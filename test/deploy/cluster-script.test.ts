// `npm run cluster` as a developer runs it: the script starts PostgreSQL, Redis, N instances and
// HAProxy on loopback, the shop answers through the load balancer, and Ctrl-C (SIGINT) stops
// every one of them: no port it printed is still listening afterwards.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../support/free-port.ts';
import { haproxyMissing } from '../support/haproxy.ts';
import { postgresSkipReason } from '../support/postgres-server.ts';
import { redisSkipReason } from '../support/redis-server.ts';

const projectRoot = join(import.meta.dirname, '..', '..');
const missing = haproxyMissing() ?? (postgresSkipReason() || undefined) ?? (redisSkipReason() || undefined);
if (missing !== undefined && process.env['CI'] === 'true') throw new Error(`CI must run the cluster script test: ${missing}`);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('npm run cluster -- --instances 2 serves through HAProxy and stops everything on Ctrl-C', { skip: missing ?? false, timeout: 120_000 }, async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(projectRoot, 'scripts/cluster.ts'), '--instances', '2', '--port', String(port)], {
    env: { ...process.env, PEAKCART_ADMIN_KEY: 'test-admin-key' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`the cluster did not come up:\n${output}`)), 90_000);
      const look = () => {
        if (!output.includes('Ctrl-C stops everything')) return;
        clearTimeout(deadline);
        resolve();
      };
      child.stdout.on('data', look);
      void exited.then(() => reject(new Error(`the cluster script exited early:\n${output}`)));
    });
    // Every port the script printed: HAProxy, its stats, the instances, PostgreSQL, Redis.
    const ports = [...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1]));
    assert.ok(ports.includes(port), output);
    assert.ok(ports.length >= 5, `expected HAProxy, stats, 2 instances, PostgreSQL and Redis in:\n${output}`);

    const products = await fetch(`http://127.0.0.1:${port}/store/products?limit=1`);
    assert.equal(products.status, 200);
    assert.equal(((await products.json()) as { items: unknown[] }).items.length, 1, 'seeded');
    for (const each of ports) assert.equal(await listening(each), true, `port ${each} is up`);

    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    for (const each of ports) assert.equal(await listening(each), false, `port ${each} was left listening:\n${output}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
