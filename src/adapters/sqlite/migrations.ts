// The schema, as numbered migrations. Each runs once, in its own transaction, and is recorded
// in schema_migrations; a migration is never edited after release, only followed by another.

import type { DatabaseSync } from 'node:sqlite';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'catalog',
    sql: `
      CREATE TABLE categories (
        slug TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        position INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE products (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        -- Lower-cased title and description (full Unicode, done in JS) for word search.
        search_text TEXT NOT NULL,
        category_slug TEXT NOT NULL,
        published INTEGER NOT NULL CHECK (published IN (0, 1)),
        images_json TEXT NOT NULL,
        attributes_json TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX products_category_slug ON products (category_slug, slug);
      CREATE TABLE variants (
        sku TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        options_json TEXT NOT NULL,
        prices_json TEXT NOT NULL,
        limited INTEGER NOT NULL CHECK (limited IN (0, 1)),
        hold_at TEXT NOT NULL CHECK (hold_at IN ('cart', 'checkout', 'order')),
        hold_ttl_ms INTEGER NOT NULL,
        purchase_limit_per_customer INTEGER,
        allow_backorder INTEGER NOT NULL CHECK (allow_backorder IN (0, 1))
      ) STRICT;
      CREATE INDEX variants_product ON variants (product_id, position);
    `,
  },
  {
    version: 2,
    name: 'stock ledger and holds',
    sql: `
      -- held is the sum of this SKU's rows in stock_holds, expired or not; readers subtract
      -- the expired ones, so a hold stops counting at its expiry even before the sweeper runs.
      CREATE TABLE stock_levels (
        sku TEXT PRIMARY KEY,
        on_hand INTEGER NOT NULL,
        sold INTEGER NOT NULL CHECK (sold >= 0),
        held INTEGER NOT NULL CHECK (held >= 0)
      ) STRICT;
      CREATE TABLE stock_holds (
        cart_id TEXT NOT NULL,
        sku TEXT NOT NULL REFERENCES stock_levels (sku),
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        expires_at_ms INTEGER NOT NULL,
        PRIMARY KEY (cart_id, sku)
      ) STRICT;
      CREATE INDEX stock_holds_sku_expiry ON stock_holds (sku, expires_at_ms);
      CREATE INDEX stock_holds_expiry ON stock_holds (expires_at_ms);
      CREATE TABLE stock_movements (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sku TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('receive', 'adjust', 'sale', 'return', 'ship', 'sync')),
        quantity INTEGER NOT NULL,
        reason TEXT NOT NULL,
        reference TEXT,
        at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX stock_movements_sku ON stock_movements (sku, id);
    `,
  },
  {
    version: 3,
    name: 'carts and orders',
    sql: `
      CREATE TABLE carts (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'completed')),
        order_id TEXT,
        currency TEXT NOT NULL,
        email TEXT,
        lines_json TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX carts_status_expiry ON carts (status, expires_at_ms);
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
      -- The first order is number 1001.
      INSERT INTO counters (name, value) VALUES ('order_number', 1000);
      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        -- UNIQUE: a cart becomes at most one order, whatever happens to the carts table.
        cart_id TEXT NOT NULL UNIQUE,
        token_hash TEXT NOT NULL,
        email TEXT NOT NULL,
        -- normalizeEmail(email): per-customer limits must not depend on letter case.
        email_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('placed', 'paid', 'fulfilled', 'cancelled', 'refunded')),
        currency TEXT NOT NULL,
        lines_json TEXT NOT NULL,
        totals_json TEXT NOT NULL,
        shipping_address_json TEXT NOT NULL,
        shipping_option TEXT NOT NULL,
        payment_json TEXT NOT NULL,
        checkout_key TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX orders_number ON orders (number DESC);
      CREATE INDEX orders_status_number ON orders (status, number DESC);
      CREATE INDEX orders_status_updated ON orders (status, updated_at_ms);
      CREATE INDEX orders_email_key ON orders (email_key, status);
    `,
  },
  {
    version: 4,
    name: 'outbox and webhooks',
    sql: `
      -- AUTOINCREMENT: a sequence is never reused, so a feed cursor never skips or repeats.
      CREATE TABLE outbox_events (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        occurred_at_ms INTEGER NOT NULL,
        data_json TEXT NOT NULL
      ) STRICT;
      CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        event_types_json TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        delivered_through INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT
      ) STRICT;
      CREATE INDEX webhooks_next_attempt ON webhooks (next_attempt_at_ms);
    `,
  },
  {
    version: 5,
    name: 'idempotency keys',
    sql: `
      CREATE TABLE idempotency_keys (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
        response_status INTEGER,
        response_body TEXT,
        response_content_type TEXT,
        created_at_ms INTEGER NOT NULL,
        lease_until_ms INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      ) STRICT;
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_ms);
    `,
  },
  {
    version: 6,
    name: 'one index on the order number',
    // number is UNIQUE, so SQLite already keeps an index on it (and walks it backwards for
    // ORDER BY number DESC); a second one only made every order insert write one more B-tree.
    sql: `
      DROP INDEX IF EXISTS orders_number;
    `,
  },
  {
    version: 7,
    name: 'catalog version',
    // The catalog read caches must notice a catalog change made by another connection (the
    // writer thread, a CLI seed) but not the order traffic, which commits hundreds of times a
    // second: data_version moves on every commit, this counter only when the catalog changes.
    sql: `
      CREATE TABLE catalog_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
      ) STRICT;
      INSERT INTO catalog_version (id, version) VALUES (1, 0);
      CREATE TRIGGER categories_insert_bumps_catalog AFTER INSERT ON categories
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER categories_update_bumps_catalog AFTER UPDATE ON categories
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER categories_delete_bumps_catalog AFTER DELETE ON categories
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER products_insert_bumps_catalog AFTER INSERT ON products
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER products_update_bumps_catalog AFTER UPDATE ON products
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER products_delete_bumps_catalog AFTER DELETE ON products
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER variants_insert_bumps_catalog AFTER INSERT ON variants
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER variants_update_bumps_catalog AFTER UPDATE ON variants
        BEGIN UPDATE catalog_version SET version = version + 1; END;
      CREATE TRIGGER variants_delete_bumps_catalog AFTER DELETE ON variants
        BEGIN UPDATE catalog_version SET version = version + 1; END;
    `,
  },
  {
    version: 8,
    name: 'order email index without the status',
    // With the status in it, every transition (placed to paid, to fulfilled) moved the order's
    // entry in this index: one delete and one insert on a page as random as the email. The
    // per-customer limit reads the order rows anyway (their lines), and filters the status there.
    sql: `
      DROP INDEX IF EXISTS orders_email_key;
      CREATE INDEX orders_email_key ON orders (email_key);
    `,
  },
  {
    version: 9,
    name: 'no cart index by status and expiry',
    // No query reads carts by status or expiry: the index was kept for a purge of expired carts
    // that does not exist. Every order paid for it three times (the new cart, its saves moving
    // the expiry, the checkout moving the status) and every group commit wrote one more page.
    // A purge, when there is one, adds the index it reads.
    sql: `
      DROP INDEX IF EXISTS carts_status_expiry;
    `,
  },
  {
    version: 10,
    name: 'no index on key age or order staleness',
    // Two indexes every order paid for and only a background chore read. idempotency_keys by
    // created_at_ms took three entries an order, for the purge of day-old keys, which now walks
    // the table in rowid order: insertion order, so the oldest rows come first
    // (idempotency.ts). orders by (status, updated_at_ms) took an entry at the order's write and
    // a delete and an insert at each transition, for the sweep of orders left placed, which are
    // found as well through orders_status_number: placed orders are the few whose capture is
    // still running or was cut off.
    sql: `
      DROP INDEX IF EXISTS idempotency_keys_created;
      DROP INDEX IF EXISTS orders_status_updated;
    `,
  },
];

/** Applies the migrations this file has not seen yet; returns the versions it applied. */
export function migrate(db: DatabaseSync, nowMs: number = Date.now()): number[] {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at_ms INTEGER NOT NULL
    ) STRICT
  `);
  const isApplied = db.prepare('SELECT 1 AS applied FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)');
  const applied: number[] = [];
  let previous = 0;
  for (const migration of migrations) {
    if (migration.version <= previous) throw new Error(`migration ${migration.version} is out of order`);
    previous = migration.version;
    // IMMEDIATE takes the write lock first, so two processes migrating at once cannot both
    // decide a migration is missing and both run it.
    db.exec('BEGIN IMMEDIATE');
    try {
      if (isApplied.get(migration.version) === undefined) {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, nowMs);
        applied.push(migration.version);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
  return applied;
}
