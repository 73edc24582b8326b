// The scale-out store: the whole shop in PostgreSQL (or CockroachDB), shared by any number of
// stateless instances. Opening it connects a small pool and applies pending migrations; each
// write is its own short transaction, with row locks where stock is concerned.

import type { Store } from '../../core/ports.ts';
import { createCartStore } from './carts.ts';
import { createCatalogStore } from './catalog.ts';
import { int, text, type Row } from './codec.ts';
import { connect, read, type ConnectionOptions } from './connection.ts';
import { createEventStore } from './events.ts';
import { createIdempotencyStore } from './idempotency.ts';
import { migrate } from './migrations.ts';
import { createOrderStore } from './orders.ts';
import { createStockStore } from './stock.ts';

export interface PostgresStoreOptions extends ConnectionOptions {
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/** What checkInvariants found wrong; both lists are empty in a healthy store. */
export interface InvariantReport {
  /** SKUs whose stock_levels.held is not the sum of their hold rows. */
  heldMismatches: string[];
  /** SKUs with sold + unexpired holds > on-hand (legitimate only for backorder SKUs). */
  oversold: string[];
}

export interface PostgresStore extends Store {
  /** Applies pending migrations; returns the versions applied (none when up to date). */
  migrate(): Promise<number[]>;
  /** Audits the stock tables directly, for tests and the auditor. */
  checkInvariants(nowMs: number): Promise<InvariantReport>;
}

/** How long /readyz waits for the database before calling this instance not ready. */
export const pingTimeoutMs = 2_000;

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const sql = connect(options);
  try {
    if (options.migrate ?? true) await migrate(sql);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  let closing: Promise<void> | undefined;
  const stock = createStockStore(sql);

  return {
    catalog: createCatalogStore(sql),
    stock,
    carts: createCartStore(sql, stock),
    orders: createOrderStore(sql),
    idempotency: createIdempotencyStore(sql),
    events: createEventStore(sql),

    async ping() {
      if (closing !== undefined) throw new Error('the store is closed');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the database did not answer within ${pingTimeoutMs} ms`)), pingTimeoutMs);
      });
      try {
        await Promise.race([read(() => sql`SELECT 1 AS ok`), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    close() {
      // Waits for running queries (up to 5 s), then closes every connection.
      closing ??= sql.end({ timeout: 5 });
      return closing;
    },

    migrate() {
      return migrate(sql);
    },

    async checkInvariants(nowMs) {
      const [mismatches, levels] = await Promise.all([
        read(() => sql`
          SELECT s.sku FROM stock_levels s
          WHERE s.held <> COALESCE((SELECT SUM(h.quantity) FROM stock_holds h WHERE h.sku = s.sku), 0)
          ORDER BY s.sku`),
        read(() => sql`
          SELECT s.sku, s.on_hand, s.sold,
            COALESCE((SELECT SUM(h.quantity) FROM stock_holds h WHERE h.sku = s.sku AND h.expires_at_ms > ${nowMs}), 0)::INT8 AS held
          FROM stock_levels s ORDER BY s.sku`),
      ]);
      return {
        heldMismatches: (mismatches as Row[]).map((row) => text(row, 'sku')),
        oversold: (levels as Row[]).filter((row) => int(row, 'sold') + int(row, 'held') > int(row, 'on_hand')).map((row) => text(row, 'sku')),
      };
    },
  };
}
