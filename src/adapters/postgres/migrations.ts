// The PostgreSQL schema, as numbered migrations, in the SQL subset CockroachDB also runs: plain
// tables, INT8 counters, TEXT (JSON kept as text, cast to JSONB only where queried), no
// sequences, triggers, plpgsql or advisory locks. Several instances may start at once: each
// migration claims its version row first (INSERT … ON CONFLICT DO NOTHING) in the migration's
// own transaction, so a second migrator waits on that row and then finds it taken.

import { isConcurrentCreate, isRetryable, transaction, type Sql } from './connection.ts';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'catalog',
    statements: [
      `CREATE TABLE categories (
        slug TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        position INT8 NOT NULL
      )`,
      `CREATE TABLE products (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        search_text TEXT NOT NULL,
        category_slug TEXT NOT NULL,
        published BOOL NOT NULL,
        images_json TEXT NOT NULL,
        attributes_json TEXT NOT NULL,
        created_at_ms INT8 NOT NULL,
        updated_at_ms INT8 NOT NULL,
        CONSTRAINT products_slug_key UNIQUE (slug)
      )`,
      'CREATE INDEX products_category_slug ON products (category_slug, slug)',
      `CREATE TABLE variants (
        sku TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
        position INT8 NOT NULL,
        title TEXT NOT NULL,
        options_json TEXT NOT NULL,
        prices_json TEXT NOT NULL,
        limited BOOL NOT NULL,
        hold_at TEXT NOT NULL CHECK (hold_at IN ('cart', 'checkout', 'order')),
        hold_ttl_ms INT8 NOT NULL,
        purchase_limit_per_customer INT8,
        allow_backorder BOOL NOT NULL
      )`,
      'CREATE INDEX variants_product ON variants (product_id, position)',
    ],
  },
  {
    version: 2,
    name: 'stock ledger and holds',
    statements: [
      // held is the sum of this SKU's rows in stock_holds, expired or not; readers subtract the
      // expired ones. Every writer of a SKU's holds or counters locks its stock_levels row first.
      `CREATE TABLE stock_levels (
        sku TEXT PRIMARY KEY,
        on_hand INT8 NOT NULL,
        sold INT8 NOT NULL CHECK (sold >= 0),
        held INT8 NOT NULL CHECK (held >= 0),
        movements INT8 NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE stock_holds (
        cart_id TEXT NOT NULL,
        sku TEXT NOT NULL REFERENCES stock_levels (sku),
        quantity INT8 NOT NULL CHECK (quantity > 0),
        expires_at_ms INT8 NOT NULL,
        PRIMARY KEY (cart_id, sku)
      )`,
      'CREATE INDEX stock_holds_sku_expiry ON stock_holds (sku, expires_at_ms)',
      'CREATE INDEX stock_holds_expiry ON stock_holds (expires_at_ms)',
      // seq numbers one SKU's movements (stock_levels.movements, bumped under the row lock), so
      // the history has an order without a global SERIAL or sequence.
      `CREATE TABLE stock_movements (
        sku TEXT NOT NULL,
        seq INT8 NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('receive', 'adjust', 'sale', 'return', 'ship', 'sync')),
        quantity INT8 NOT NULL,
        reason TEXT NOT NULL,
        reference TEXT,
        at_ms INT8 NOT NULL,
        PRIMARY KEY (sku, seq)
      )`,
    ],
  },
  {
    version: 3,
    name: 'carts and orders',
    statements: [
      `CREATE TABLE carts (
        id TEXT PRIMARY KEY,
        version INT8 NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'completed')),
        order_id TEXT,
        currency TEXT NOT NULL,
        email TEXT,
        lines_json TEXT NOT NULL,
        created_at_ms INT8 NOT NULL,
        updated_at_ms INT8 NOT NULL,
        expires_at_ms INT8 NOT NULL
      )`,
      'CREATE INDEX carts_status_expiry ON carts (status, expires_at_ms)',
      // Gapless counters (order numbers, the event feed): a row updated inside the writing
      // transaction, so a rolled-back order takes no number and the feed's sequence follows
      // commit order. A SEQUENCE would do neither.
      `CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INT8 NOT NULL
      )`,
      "INSERT INTO counters (name, value) VALUES ('order_number', 1000), ('event_sequence', 0)",
      `CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        number INT8 NOT NULL,
        cart_id TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('placed', 'paid', 'fulfilled', 'cancelled', 'refunded')),
        currency TEXT NOT NULL,
        lines_json TEXT NOT NULL,
        totals_json TEXT NOT NULL,
        shipping_address_json TEXT NOT NULL,
        shipping_option TEXT NOT NULL,
        payment_json TEXT NOT NULL,
        checkout_key TEXT NOT NULL,
        created_at_ms INT8 NOT NULL,
        updated_at_ms INT8 NOT NULL,
        CONSTRAINT orders_number_key UNIQUE (number),
        -- A cart becomes at most one order, whatever happens to the carts table or the instances.
        CONSTRAINT orders_cart_id_key UNIQUE (cart_id)
      )`,
      'CREATE INDEX orders_status_number ON orders (status, number DESC)',
      'CREATE INDEX orders_status_updated ON orders (status, updated_at_ms)',
      'CREATE INDEX orders_email_key ON orders (email_key, status)',
    ],
  },
  {
    version: 4,
    name: 'outbox and webhooks',
    statements: [
      `CREATE TABLE outbox_events (
        sequence INT8 PRIMARY KEY,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        occurred_at_ms INT8 NOT NULL,
        data_json TEXT NOT NULL,
        CONSTRAINT outbox_events_id_key UNIQUE (id)
      )`,
      `CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        event_types_json TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at_ms INT8 NOT NULL,
        delivered_through INT8 NOT NULL,
        attempts INT8 NOT NULL,
        next_attempt_at_ms INT8 NOT NULL,
        last_error TEXT
      )`,
      'CREATE INDEX webhooks_next_attempt ON webhooks (next_attempt_at_ms)',
    ],
  },
  {
    version: 5,
    name: 'idempotency keys',
    statements: [
      `CREATE TABLE idempotency_keys (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
        response_status INT8,
        response_body TEXT,
        response_content_type TEXT,
        created_at_ms INT8 NOT NULL,
        lease_until_ms INT8 NOT NULL,
        PRIMARY KEY (scope, key)
      )`,
      'CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_ms)',
    ],
  },
  {
    version: 6,
    name: 'no cart index by status and expiry',
    // As in SQLite's migration 9: no query reads carts by status or expiry. Here it also made
    // every cart save and checkout ineligible for a heap-only update, since each changes a
    // column it indexes. A purge of carts, when there is one, adds the index it reads.
    statements: ['DROP INDEX IF EXISTS carts_status_expiry'],
  },
];

const createLedger = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INT8 PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_ms INT8 NOT NULL
  )`;

/** Applies the migrations this database has not seen yet; returns the versions this call applied. */
export async function migrate(sql: Sql, nowMs: number = Date.now()): Promise<number[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sql.unsafe(createLedger);
      break;
    } catch (error) {
      // Two instances creating the table at the same moment: the table exists now, so look again.
      if (attempt < 5 && (isConcurrentCreate(error) || isRetryable(error))) continue;
      throw error;
    }
  }
  const applied: number[] = [];
  let previous = 0;
  for (const migration of migrations) {
    if (migration.version <= previous) throw new Error(`migration ${migration.version} is out of order`);
    previous = migration.version;
    const ran = await transaction(sql, async (tx) => {
      const claimed = await tx`
        INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (${migration.version}, ${migration.name}, ${nowMs})
        ON CONFLICT (version) DO NOTHING RETURNING version`;
      if (claimed.length === 0) return false;
      for (const statement of migration.statements) await tx.unsafe(statement);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
