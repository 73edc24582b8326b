// PostgreSQL restarted (cleanly, then as after a crash) in the middle of a flash sale, against a
// real server process: while the database is down, requests fail fast with 503 + Retry-After
// (problem+json, no hanging socket, no crash); when it is back, the service recovers by itself;
// afterwards every acknowledged (201) order is stored and nothing is oversold. Bounded in time.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore } from '../../src/adapters/postgres/store.ts';
import { startChildServer, tempDir, type ChildServer } from '../support/server.ts';
import { checkoutBody, client, createProduct } from '../support/client.ts';
import { stockLevel, waitFor } from '../support/http-helpers.ts';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../support/postgres-server.ts';

const skip = postgresSkipReason();
const shoppers = 12;
/** Enough that the sale never sells out: every refusal while the database is up would be a fault. */
const stockUnits = 100_000;
/** No request may take longer than this, database down or not (connect timeout is 3 s). */
const requestDeadlineMs = 8_000;
const saleBeforeStopMs = 1_500;
const downForMs = 3_000;
const saleAfterRecoveryMs = 2_000;

interface Outcome {
  path: string;
  status: number;
  type: string | undefined;
  retryAfter: string | null;
  latencyMs: number;
  startedAtMs: number;
  orderId: string | undefined;
  /** The id in a 201 answer. */
  id: string | undefined;
}

describe('PostgreSQL restarted during a flash sale', { skip }, () => {
  let postgres: PostgresServer;
  let server: ChildServer;
  const dir = tempDir('pg-restart');

  before(async () => {
    postgres = await startPostgres('pg-restart');
    server = await startChildServer({
      PEAKCART_DATABASE_URL: postgres.url,
      PEAKCART_DB: join(dir.path, 'unused.db'),
      PEAKCART_SHUTDOWN_GRACE_MS: '2000',
    });
  });

  after(async () => {
    await server?.kill('SIGTERM');
    await postgres?.destroy();
    dir.remove();
  });

  // fast: PostgreSQL aborts open transactions and shuts down cleanly (a planned restart).
  // immediate: every PostgreSQL process ends at once, like a crash; the start replays the WAL.
  for (const mode of ['fast', 'immediate'] as const) {
    it(`stopped '${mode}': answers 503 + Retry-After fast while down, recovers by itself, loses no acknowledged order, oversells nothing`, async () => {
      const api = client(server.url);
      const { sku } = await createProduct(api, { onHand: stockUnits, holdAt: 'checkout', limited: true, holdTtlMs: 60_000 });
      const outcomes: Outcome[] = [];
      const hung: string[] = [];

      /** One request with a hard deadline: a request that does not answer in time is a hang. */
      async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Outcome | undefined> {
        const startedAtMs = Date.now();
        try {
          const response = await fetch(server.url + path, {
            method,
            headers: { 'content-type': 'application/json', ...headers },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(requestDeadlineMs),
          });
          const text = await response.text();
          const parsed = text.length > 0 ? JSON.parse(text) : undefined;
          const outcome: Outcome = {
            path,
            status: response.status,
            type: typeof parsed?.type === 'string' ? parsed.type : undefined,
            retryAfter: response.headers.get('retry-after'),
            latencyMs: Date.now() - startedAtMs,
            startedAtMs,
            orderId: response.status === 201 && path.endsWith('/checkout') ? parsed.id : undefined,
            id: response.status === 201 ? parsed.id : undefined,
          };
          outcomes.push(outcome);
          return outcome;
        } catch (error) {
          const since = (Date.now() - startedAtMs) / 1000;
          const earlier = outcomes.filter((outcome) => outcome.path === path).map((outcome) => `${outcome.status} at ${outcome.startedAtMs - stopRequestedAtMs} ms in ${outcome.latencyMs} ms`);
          hung.push(`${method} ${path} (started ${startedAtMs - stopRequestedAtMs} ms after the stop, failed after ${since} s; before: ${earlier.join(', ')}): ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        }
      }

      let selling = true;
      let stopRequestedAtMs = Number.POSITIVE_INFINITY;

      // A shopper: cart, line, checkout (idempotency key per cart), again while the sale runs.
      async function shop(index: number): Promise<void> {
        for (let round = 0; selling; round++) {
          const email = `restart-${index}-${round}@example.com`;
          const cart = await call('POST', '/store/carts', { email });
          const created = cart?.status === 201 ? cart.id : undefined;
          if (created === undefined) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            continue;
          }
          const added = await call('POST', `/store/carts/${created}/lines`, { sku, quantity: 1 });
          if (added?.status !== 201) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            continue;
          }
          const key = `restart-${created}`;
          // A checkout that got 503 is retried with the same key, as a client should.
          for (let attempt = 0; attempt < 20 && selling; attempt++) {
            const placed = await call('POST', `/store/carts/${created}/checkout`, checkoutBody(email), { 'idempotency-key': key });
            if (placed === undefined || placed.status !== 503) break;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }

      const sale = Promise.all(Array.from({ length: shoppers }, (_, index) => shop(index)));
      let restartedAtMs = Number.POSITIVE_INFINITY;
      let downSinceMs = Number.POSITIVE_INFINITY;
      let readyWhileDown: Outcome | undefined;
      try {
        await new Promise((resolve) => setTimeout(resolve, saleBeforeStopMs));
        stopRequestedAtMs = Date.now();
        await postgres.stop(mode);
        downSinceMs = Date.now();
        await new Promise((resolve) => setTimeout(resolve, downForMs));
        readyWhileDown = await call('GET', '/readyz', undefined);
        restartedAtMs = Date.now();
        await postgres.start();
        await waitFor('a checkout to succeed after the restart', async () => {
          const placed = outcomes.find((outcome) => outcome.orderId !== undefined && outcome.startedAtMs > restartedAtMs);
          return placed === undefined ? undefined : true;
        }, 20_000);
        await new Promise((resolve) => setTimeout(resolve, saleAfterRecoveryMs));
      } finally {
        selling = false;
        await sale;
        const phase = (outcome: Outcome) => (outcome.startedAtMs < downSinceMs ? 'before' : outcome.startedAtMs < restartedAtMs ? 'down' : 'after');
        const summary: Record<string, number> = {};
        for (const outcome of outcomes) {
          const key = `${phase(outcome)} ${outcome.path.replace(/cart_[^/]+/, ':id')} ${outcome.status} ${outcome.type?.split('/').at(-1) ?? ''}`;
          summary[key] = (summary[key] ?? 0) + 1;
        }
        console.log(JSON.stringify(summary, null, 1));
      }

      // No request hung, and the process is still the one we started.
      assert.deepEqual(hung, [], 'requests that did not answer within the deadline');
      assert.equal(server.process.exitCode, null, `the server exited:\n${server.output().slice(-2000)}`);
      assert.equal(readyWhileDown?.status, 503, 'readyz while the database is down');

      // While down: 503 + Retry-After with a stable problem type, answered quickly.
      assert.equal(readyWhileDown?.type, 'https://peakcart.dev/problems/store-unavailable');
      const whileDown = outcomes.filter((outcome) => outcome.path !== '/readyz' && outcome.startedAtMs >= downSinceMs && outcome.startedAtMs + outcome.latencyMs <= restartedAtMs);
      assert.ok(whileDown.length > 0, 'requests were made while the database was down');
      for (const outcome of whileDown) {
        assert.equal(outcome.status, 503, `while down: ${JSON.stringify(outcome)}`);
        assert.equal(outcome.type, 'https://peakcart.dev/problems/store-unavailable', JSON.stringify(outcome));
        assert.ok(Number(outcome.retryAfter) >= 1, `Retry-After: ${JSON.stringify(outcome)}`);
      }
      const slowest = Math.max(...whileDown.map((outcome) => outcome.latencyMs));
      assert.ok(slowest < 5_000, `a request took ${slowest} ms while the database was down`);
      // Nothing but expected answers at any time: no 500, no unexplained status.
      const unexpected = outcomes.filter((outcome) => ![200, 201, 409, 503].includes(outcome.status));
      assert.deepEqual(unexpected, [], 'unexpected statuses');
      const internal = outcomes.filter((outcome) => outcome.status === 503 && outcome.type !== 'https://peakcart.dev/problems/store-unavailable' && outcome.type !== 'https://peakcart.dev/problems/overloaded');
      assert.deepEqual(internal, []);

      // Every acknowledged order is stored; sold equals what the stored orders sold; nothing oversold.
      const acknowledged = outcomes.flatMap((outcome) => (outcome.orderId === undefined ? [] : [outcome.orderId]));
      assert.ok(acknowledged.length > 0);
      const audit = await openPostgresStore({ url: postgres.url, migrate: false });
      try {
        for (const id of acknowledged) assert.ok((await audit.orders.getOrder(id)) !== undefined, `acknowledged order ${id} is stored`);
        let unitsInOrders = 0;
        for (let cursor: string | undefined, page = 0; page < 1_000; page++) {
          const stored = await audit.orders.listOrders(cursor === undefined ? { limit: 100 } : { limit: 100, cursor });
          for (const order of stored.items) for (const line of order.lines) if (line.sku === sku) unitsInOrders += line.quantity;
          if (stored.nextCursor === null) break;
          cursor = stored.nextCursor;
        }
        const level = await stockLevel(client(server.url), sku);
        assert.equal(level.sold, unitsInOrders, 'sold equals the units in stored orders');
        assert.ok(level.sold + level.held <= level.onHand, JSON.stringify(level));
        assert.deepEqual(await audit.checkInvariants(Date.now()), { heldMismatches: [], oversold: [] });
      } finally {
        await audit.close();
      }
    });
  }
});
