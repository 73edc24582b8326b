// The load balancer in front of real instances: the committed config is the generated one and
// HAProxy accepts it; a gracefully stopped instance drains without failing a single request
// (including writes that cannot be retried); a killed one is routed around for reads.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exampleTopology, haproxyConfig } from '../../deploy/haproxy-config.ts';
import { haproxyBinary, haproxyMissing, instanceStates, startHaproxy, type RunningHaproxy } from '../support/haproxy.ts';
import { startChildServer, tempDir, type ChildServer } from '../support/server.ts';
import { waitFor } from '../support/http-helpers.ts';

const missing = haproxyMissing();
if (missing !== undefined && process.env.CI === 'true') throw new Error(`CI must run the load balancer suite: ${missing}`);
const projectRoot = join(import.meta.dirname, '..', '..');

function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

/** Sends requests through the LB until `until` resolves; returns every status seen. */
async function trafficUntil(url: string, until: Promise<unknown>): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let done = false;
  void until.finally(() => (done = true));
  await Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      for (let i = 0; !done; i++) {
        // Writes without an Idempotency-Key are the requests the LB may never resend: they show
        // whether draining really let every request finish where it started.
        const response =
          i % 2 === 0
            ? await fetch(`${url}/store/carts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
            : await fetch(`${url}/store/categories`, { headers: { 'x-worker': String(worker) } });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

describe('HAProxy in front of peakcart', { skip: missing }, () => {
  test('deploy/haproxy.cfg is the generated example and HAProxy accepts it', () => {
    const committed = readFileSync(join(projectRoot, 'deploy/haproxy.cfg'), 'utf8');
    assert.equal(committed, haproxyConfig(exampleTopology), 'regenerate with: node deploy/haproxy-config.ts > deploy/haproxy.cfg');
    const check = spawnSync(haproxyBinary, ['-c', '-f', join(projectRoot, 'deploy/haproxy.cfg')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  describe('two instances', () => {
    const dirs = [tempDir('lb-a'), tempDir('lb-b')];
    let instances: ChildServer[] = [];
    let haproxy: RunningHaproxy;

    before(async () => {
      instances = await Promise.all(
        dirs.map((dir) => startChildServer({ PEAKCART_DB: join(dir.path, 'peakcart.db'), PEAKCART_DRAIN_MS: '2500' })),
      );
      haproxy = await startHaproxy(instances.map((instance, n) => ({ name: `api${n + 1}`, ...hostPort(instance.url) })));
      await waitFor('both instances UP', async () => ([...(await instanceStates(haproxy)).values()].every((state) => state === 'UP') ? true : undefined), 10_000);
    });

    after(async () => {
      await haproxy?.stop();
      await Promise.all(instances.map((instance) => instance.kill('SIGKILL')));
      for (const dir of dirs) dir.remove();
    });

    test('a SIGTERMed instance leaves rotation before it stops accepting: no request fails', async () => {
      const [leaving] = instances;
      assert.ok(leaving);
      const stopped = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const code = await leaving.kill('SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 500));
        return code;
      })();
      const statuses = await trafficUntil(haproxy.url, stopped);
      assert.equal(await stopped, 0, 'the instance exits cleanly');
      const failed = [...statuses].filter(([status]) => status >= 300);
      assert.deepEqual(failed, [], `statuses seen: ${JSON.stringify([...statuses])}`);
      assert.ok((statuses.get(201) ?? 0) > 20, 'writes went through during the drain');
      assert.equal((await instanceStates(haproxy)).get('api1')?.startsWith('DOWN'), true);
    });

    test('when no instance is left, the LB answers 503 problem+json with Retry-After at once', async () => {
      await instances[1]?.kill('SIGKILL');
      await waitFor('api2 DOWN', async () => ((await instanceStates(haproxy)).get('api2')?.startsWith('DOWN') === true ? true : undefined), 10_000);
      const started = Date.now();
      const response = await fetch(`${haproxy.url}/store/categories`);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.equal(response.headers.get('retry-after'), '1');
      const problem = (await response.json()) as { type: string; status: number };
      assert.equal(problem.type, 'https://peakcart.dev/problems/overloaded');
      assert.equal(problem.status, 503);
      assert.ok(Date.now() - started < 2_000);
    });
  });
});
