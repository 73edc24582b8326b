// The embedded store: one SQLite file holds the whole shop. Opening it applies the pragmas and
// migrations; every write goes through one group-commit batcher, reads run directly.

import type { Store } from '../../core/ports.ts';
import { createBatcher, type BatcherStats, type GatherPolicy } from './batcher.ts';
import { createCartStore } from './carts.ts';
import { createCatalogStore } from './catalog.ts';
import { asRow, int, text } from './codec.ts';
import { openDatabase, statementCache } from './connection.ts';
import { catalogVersionWatcher } from './read-cache.ts';
import { createEventStore } from './events.ts';
import { createIdempotencyStore } from './idempotency.ts';
import { migrate } from './migrations.ts';
import { createOrderStore } from './orders.ts';
import { createStockStore } from './stock.ts';

export interface SqliteStoreOptions {
  /** The database file; its directory is created when missing. */
  path: string;
  /** Most writes one transaction carries (default batchOpsMax). */
  batchMaxOps?: number;
  /** How a small batch waits for more writes before it commits (default: it does not). */
  gather?: GatherPolicy;
  /** Apply pending migrations on open (default true; never on a read-only connection). */
  migrate?: boolean;
  /** Open the file read-only: every read works, every write fails (the writer is elsewhere). */
  readOnly?: boolean;
  /** A checkpointer thread copies the WAL into the file, so this connection need not (checkpoints.ts). */
  checkpointBeside?: boolean;
}

/** What checkInvariants found wrong; both lists are empty in a healthy store. */
export interface InvariantReport {
  /** SKUs whose stock_levels.held is not the sum of their hold rows. */
  heldMismatches: string[];
  /** SKUs with sold + unexpired holds > on-hand (legitimate only for backorder SKUs). */
  oversold: string[];
}

export interface SqliteStore extends Store {
  readonly path: string;
  /** Group-commit counters: how many transactions carried how many writes. */
  readonly stats: Readonly<BatcherStats>;
  /** Applies pending migrations; returns the versions applied (none when up to date). */
  migrate(): number[];
  /** Audits the stock tables directly, for tests and the auditor. */
  checkInvariants(nowMs: number): InvariantReport;
  /** The catalog changed through another connection of this process (the writer thread's). */
  catalogChanged(): void;
}

const sql = {
  ping: 'SELECT 1 AS ok',
  heldMismatches: `
    SELECT s.sku FROM stock_levels s
    WHERE s.held <> COALESCE((SELECT SUM(h.quantity) FROM stock_holds h WHERE h.sku = s.sku), 0)
    ORDER BY s.sku`,
  oversold: `
    SELECT s.sku, s.on_hand, s.sold,
      COALESCE((SELECT SUM(h.quantity) FROM stock_holds h WHERE h.sku = s.sku AND h.expires_at_ms > ?), 0) AS held
    FROM stock_levels s ORDER BY s.sku`,
} as const;

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const readOnly = options.readOnly ?? false;
  const db = openDatabase(options.path, { readOnly, checkpointBeside: options.checkpointBeside ?? false });
  try {
    if ((options.migrate ?? true) && !readOnly) migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const prepare = statementCache(db);
  const batcher = createBatcher(db, {
    ...(options.batchMaxOps === undefined ? {} : { batchMaxOps: options.batchMaxOps }),
    ...(options.gather === undefined ? {} : { gather: options.gather }),
  });
  const catalogWatcher = catalogVersionWatcher(prepare);
  const idempotency = createIdempotencyStore(prepare, batcher);
  let closing: Promise<void> | undefined;

  return {
    path: options.path,
    stats: batcher.stats,
    catalog: createCatalogStore(prepare, batcher, catalogWatcher),
    stock: createStockStore(prepare, batcher),
    carts: createCartStore(prepare, idempotency.answers),
    orders: createOrderStore(prepare, batcher, idempotency.answers),
    idempotency: idempotency.store,
    events: createEventStore(prepare, batcher),

    async ping() {
      if (closing !== undefined) throw new Error('the store is closed');
      prepare(sql.ping).get();
    },

    close() {
      closing ??= batcher.close().then(() => db.close());
      return closing;
    },

    migrate() {
      return migrate(db);
    },

    catalogChanged() {
      catalogWatcher.changed();
    },

    checkInvariants(nowMs) {
      const heldMismatches = prepare(sql.heldMismatches)
        .all()
        .map((found) => text(asRow(found), 'sku'));
      const oversold = prepare(sql.oversold)
        .all(nowMs)
        .map(asRow)
        .filter((row) => int(row, 'sold') + int(row, 'held') > int(row, 'on_hand'))
        .map((row) => text(row, 'sku'));
      return { heldMismatches, oversold };
    },
  };
}
