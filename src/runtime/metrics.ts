// Prometheus metrics for the Node runtime: request counts and latency by route, orders,
// holds and stock-outs, plus the process defaults (event loop lag, memory, GC).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpMetrics } from '../http/ports.ts';

/** Group-commit counters of a store that batches its writes (the embedded SQLite store). */
export interface WriteBatchStats {
  readonly transactions: number;
  readonly operations: number;
  /** Frames in the WAL at the last checkpoint pass, where a checkpointer thread runs. */
  readonly walPages?: number;
  readonly walRestarts?: number;
}

/** Label sets whose histogram child is kept at hand; routes are templates, so few exist. */
const requestChildrenMax = 1000;

export function createPromMetrics(writeStats?: Readonly<WriteBatchStats>): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'peakcart_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const orders = new Counter({ name: 'peakcart_orders_total', help: 'Orders placed', labelNames: ['currency'] as const, registers: [registry] });
  const revenue = new Counter({ name: 'peakcart_order_revenue_minor_total', help: 'Order totals in minor units', labelNames: ['currency'] as const, registers: [registry] });
  const holds = new Counter({ name: 'peakcart_holds_total', help: 'Stock holds taken at add-to-cart', registers: [registry] });
  const stockOuts = new Counter({ name: 'peakcart_stockouts_total', help: 'Requests refused because a SKU was sold out', registers: [registry] });
  if (writeStats !== undefined) {
    // Read at scrape time: writes per transaction is how well group commit batches.
    new Gauge({
      name: 'peakcart_store_write_transactions',
      help: 'Write transactions (group commits) since start',
      registers: [registry],
      collect() {
        this.set(writeStats.transactions);
      },
    });
    new Gauge({
      name: 'peakcart_store_writes',
      help: 'Writes carried by those transactions since start',
      registers: [registry],
      collect() {
        this.set(writeStats.operations);
      },
    });
    if (writeStats.walPages !== undefined) {
      // A WAL that keeps growing means checkpoints fall behind the writes.
      new Gauge({
        name: 'peakcart_sqlite_wal_pages',
        help: 'Frames in the SQLite WAL at the last checkpoint pass',
        registers: [registry],
        collect() {
          this.set(writeStats.walPages ?? 0);
        },
      });
      new Gauge({
        name: 'peakcart_sqlite_wal_restarts',
        help: 'Times the checkpointer started the WAL over since start',
        registers: [registry],
        collect() {
          this.set(writeStats.walRestarts ?? 0);
        },
      });
    }
  }

  const requestChildren = new Map<string, ReturnType<typeof requests.labels>>();

  return {
    observeRequest(method, route, status, durationMs) {
      // One child per label set, found by one string key instead of prom-client hashing the labels.
      const key = `${method} ${status} ${route}`;
      let child = requestChildren.get(key);
      if (child === undefined) {
        child = requests.labels({ method, route, status: String(status) });
        if (requestChildren.size < requestChildrenMax) requestChildren.set(key, child);
      }
      child.observe(durationMs / 1000);
    },
    countOrder(currency, totalMinor) {
      orders.inc({ currency });
      revenue.inc({ currency }, totalMinor);
    },
    countHold() {
      holds.inc();
    },
    countStockOut() {
      stockOuts.inc();
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
