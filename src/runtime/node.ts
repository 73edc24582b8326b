// The Node entry: opens the embedded store, builds the shop and the HTTP app, serves it, runs
// the background chores, and shuts down gracefully: stop accepting, finish what is in flight,
// flush the write batcher, close the database.

import { serve, type ServerType } from '@hono/node-server';
import type { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { openPostgresStore } from '../adapters/postgres/store.ts';
import { openThreadedSqliteStore, type ThreadedStoreOptions } from '../adapters/sqlite/threaded-store.ts';
import { openRedisStore } from '../adapters/redis/store.ts';
import { createTestPaymentProvider } from '../adapters/payments/test-provider.ts';
import { createShop, type Shop } from '../core/shop.ts';
import type { Store } from '../core/ports.ts';
import { createApp } from '../http/app.ts';
import type { AppOptions } from '../http/env.ts';
import { catalogFastPath } from '../http/catalog-fast-path.ts';
import { admissionGates, type AdmissionGates } from '../http/middleware/admission.ts';
import { orderFastPath } from '../http/order-fast-path.ts';
import { createRelay } from '../outbox/relay.ts';
import { resolveAdminKey } from './admin-key.ts';
import { serverWithFastPaths } from './fast-paths.ts';
import type { RuntimeConfig } from './config.ts';
import { swaggerUiAssets } from './docs-assets.ts';
import { createLogger } from './logger.ts';
import { createPromMetrics, type WriteBatchStats } from './metrics.ts';
import { startStorefront, type LiveStorefront } from './storefront.ts';
import { nodeIds, sha256HexSync } from './node-ids.ts';

export const systemClock = { nowMs: () => Date.now() };

/** Catalog bodies are gzipped once per catalog change; level 6 is most of level 9's gain for far less time. */
export function gzipOnce(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(gzipSync(bytes, { level: 6 }));
}

/**
 * The scale-out store when a database URL is configured, else the embedded SQLite file, its
 * writes on a thread of their own so that no COMMIT's fsync stops the event loop.
 */
export async function openStore(config: RuntimeConfig, watch: StoreThreadWatch = {}): Promise<Store> {
  if (config.databaseUrl !== undefined) return openPostgresStore({ url: config.databaseUrl, poolMax: config.databasePoolMax });
  return openThreadedSqliteStore({ path: config.dbPath, ...watch });
}

/** Told when a thread of the embedded store ends on its own, so the process can log it. */
export type StoreThreadWatch = Pick<ThreadedStoreOptions, 'onWriterLost' | 'onCheckpointerLost'>;

/** What the process is told about its shop's own work: its store's threads, and the writes it finishes after answering. */
export type ShopWatch = StoreThreadWatch & {
  /** A write left to finish after its answer failed (CoreDeps.afterAnswer). */
  onAfterAnswerFailed?: (what: string, error: unknown) => void;
};

/** Without a logger (the CLI, the benches) a failed write after an answer is still said. */
function warnAfterAnswerFailed(what: string, error: unknown): void {
  process.emitWarning(`${what} failed after the answer: ${error instanceof Error ? error.message : String(error)}`);
}

/** With PEAKCART_REDIS_URL, the stock holds move to Redis in front of the system of record. */
async function withRedisHotPath(config: RuntimeConfig, recordStore: Store): Promise<Store> {
  if (config.redisUrl === undefined) return recordStore;
  try {
    return await openRedisStore(recordStore, { url: config.redisUrl, reloadQuarantineMs: config.redisReloadQuarantineMs });
  } catch (error) {
    await recordStore.close();
    throw error;
  }
}

export async function openShop(config: RuntimeConfig, watch: ShopWatch = {}): Promise<{ shop: Shop; store: Store }> {
  const store = await withRedisHotPath(config, await openStore(config, watch));
  const failed = watch.onAfterAnswerFailed ?? warnAfterAnswerFailed;
  // Only the embedded store lets a checkout answer before its paid mark is written: the file has
  // one process, whose reads wait for the mark (orders.ts). Behind a load balancer another
  // instance could read the order before it, so scale-out instances write it first.
  const afterAnswer =
    config.databaseUrl === undefined
      ? (write: Promise<unknown>, what: string) => {
          write.catch((error: unknown) => failed(what, error));
        }
      : undefined;
  const shop = createShop({ store, clock: systemClock, ids: nodeIds, payments: createTestPaymentProvider(), config: config.shop, ...(afterAnswer === undefined ? {} : { afterAnswer }) });
  return { shop, store };
}

export interface RunningServer {
  url: string;
  shop: Shop;
  /** The storefront at `/`, when the config turns it on. */
  storefront: LiveStorefront | undefined;
  /** Stops accepting, drains in-flight requests, flushes and closes the store. */
  stop(): Promise<void>;
}

/** Runs `chore` every `intervalMs`, never two at once, until stopped. */
function every(intervalMs: number, chore: () => Promise<unknown>, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = chore()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The app's options as `peakcart serve` builds them; the caller brings what only it knows. */
export function nodeAppOptions(
  config: RuntimeConfig,
  opened: { shop: Shop; store: Store },
  own: Pick<AppOptions, 'adminKey' | 'metrics' | 'logger' | 'isReady'>,
): AppOptions & { gates: AdmissionGates } {
  const { shop, store } = opened;
  return {
    shop,
    ...own,
    corsOrigins: config.corsOrigins,
    bodyBytesMax: config.bodyBytesMax,
    inFlightMax: config.inFlightMax,
    gates: admissionGates(config.inFlightMax),
    pingStore: () => store.ping(),
    hashText: sha256HexSync,
    compress: gzipOnce,
  };
}

/** The group-commit counters of a store that batches its writes (the embedded one, with its WAL's), for /metrics. */
export function writeStatsOf(store: Store): Readonly<WriteBatchStats> | undefined {
  return 'stats' in store ? (store as { stats: Readonly<WriteBatchStats> }).stats : undefined;
}

export async function startServer(config: RuntimeConfig): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const { shop, store } = await openShop(config, {
    onWriterLost: (error) => logger.error({ err: error.message }, 'the SQLite writer thread is gone: writes answer 503 until the process restarts'),
    onCheckpointerLost: (error) => logger.warn({ err: error.message }, 'the SQLite checkpointer thread is gone: the writer checkpoints the WAL itself past its backstop, stopping writes while it does'),
    // The order is placed and its money taken; the sweep marks it paid later (orders.ts).
    onAfterAnswerFailed: (what, error) => logger.error({ err: error instanceof Error ? error.message : String(error) }, `${what} failed after the answer; the sweep marks an order left placed paid`),
  });
  const adminKey = resolveAdminKey(config.adminKey, config.dataDir, (key, path) => {
    // Printed once, on the first start; later starts read it from the file.
    process.stdout.write(`\nGenerated admin key (kept in ${path}):\n  ${key}\n\n`);
  });
  let ready = true;
  const metrics = createPromMetrics(writeStatsOf(store));
  const options = nodeAppOptions(config, { shop, store }, { adminKey, metrics, logger, isReady: () => ready });
  const app = createApp(options, swaggerUiAssets());

  let storefront: LiveStorefront | undefined;
  const fetch = (request: Request, env: unknown) =>
    storefront === undefined ? app.fetch(request, env) : storefront.fetch(request, (forwarded) => app.fetch(forwarded, env));
  let server: ServerType;
  try {
    server = await new Promise((resolve, reject) => {
      // The fast path's server is an http.Server like the default one; the option is typed for
      // every server kind node-server can make.
      const createServer = serverWithFastPaths({
        catalog: catalogFastPath({ shop, corsOrigins: config.corsOrigins, compress: gzipOnce }),
        orders: orderFastPath(options),
        fetch,
        metrics,
      }) as unknown as typeof createHttpServer;
      const started = serve({ fetch, hostname: config.host, port: config.port, createServer }, () => resolve(started));
      started.once('error', reject);
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  if (config.storefront.enabled) {
    const { currencies, defaultCurrency, pricing } = config.shop;
    storefront = startStorefront({ config: config.storefront, catalog: shop.catalog, currency: currencies.includes(defaultCurrency) ? defaultCurrency : 'USD', shipping: pricing.shipping, serverUrl: url, logger });
  }

  const logFailure = (chore: string) => (error: unknown) =>
    logger.error({ chore, err: error instanceof Error ? error.message : String(error) }, 'background chore failed');
  const sweeper = every(config.sweepIntervalMs, () => shop.sweep(), logFailure('sweep'));
  const relay = createRelay({ events: store.events, clock: systemClock, logger });
  const relayLoop = every(
    config.relayIntervalMs,
    async () => {
      // Keep delivering while webhooks are due, within one tick's worth of work.
      for (let i = 0; i < 20 && (await relay.deliverOnce()); i++);
    },
    logFailure('relay'),
  );

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopping ??= (async () => {
      ready = false;
      // Behind a load balancer, keep serving while its health check sees /readyz fail; only
      // then stop accepting. Alone (the embedded default) there is no one to tell: drainMs 0.
      if (config.drainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.drainMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      if ('closeAllConnections' in server) server.closeAllConnections();
      await storefront?.stop();
      await sweeper.stop();
      await relayLoop.stop();
      // Paid marks of checkouts answered already: written before the file closes.
      await shop.orders.settled();
      await store.close();
      logger.info({}, 'stopped');
      logger.flush();
    })();
    return stopping;
  }

  logger.info({ url, db: config.databaseUrl === undefined ? config.dbPath : 'postgres' }, 'peakcart is serving');
  return { url, shop, storefront, stop };
}
