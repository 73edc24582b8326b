// The CartStore port on PostgreSQL. A cart is one row with its lines as JSON text; every save
// is conditional on the version it was read at, which holds across instances as well.

import type { Cart, CartLine, CartStatus } from '../../core/cart.ts';
import { DomainError } from '../../core/errors.ts';
import type { CartStore, StockStore } from '../../core/ports.ts';
import { holdsThenSave } from '../holds-then-save.ts';
import { int, json, refuseNul, text, textOrNull, type Row } from './codec.ts';
import { read, transaction, type Sql } from './connection.ts';
import { keepAnswer } from './idempotency.ts';

function decodeCart(row: Row): Cart {
  return {
    id: text(row, 'id'),
    currency: text(row, 'currency'),
    email: textOrNull(row, 'email'),
    lines: json<CartLine[]>(row, 'lines_json'),
    status: text(row, 'status') as CartStatus,
    orderId: textOrNull(row, 'order_id'),
    createdAtMs: int(row, 'created_at_ms'),
    updatedAtMs: int(row, 'updated_at_ms'),
    expiresAtMs: int(row, 'expires_at_ms'),
    version: int(row, 'version'),
  };
}

function cartColumns(cart: Cart) {
  refuseNul({ 'cart id': cart.id, currency: cart.currency, email: cart.email, 'order id': cart.orderId });
  return {
    id: cart.id,
    version: cart.version,
    status: cart.status,
    order_id: cart.orderId,
    currency: cart.currency,
    email: cart.email,
    lines_json: JSON.stringify(cart.lines),
    created_at_ms: cart.createdAtMs,
    updated_at_ms: cart.updatedAtMs,
    expires_at_ms: cart.expiresAtMs,
  };
}

export function createCartStore(sql: Sql, stock: Pick<StockStore, 'setHolds'>): CartStore {
  const carts: CartStore = {
    async createCart(cart, answer) {
      const columns = cartColumns(cart);
      const inserted = await transaction(sql, async (tx) => {
        const rows = await tx`INSERT INTO carts ${tx(columns)} ON CONFLICT (id) DO NOTHING RETURNING id`;
        if (rows.length === 1 && answer !== undefined) await keepAnswer(tx, answer);
        return rows.length;
      });
      if (inserted === 0) throw new DomainError('conflict', `A cart with id '${cart.id}' already exists.`, { id: cart.id });
    },

    async getCart(id) {
      const rows = await read(
        () => sql`
          SELECT id, version, status, order_id, currency, email, lines_json, created_at_ms, updated_at_ms, expires_at_ms
          FROM carts WHERE id = ${id}`,
      );
      const row = (rows as Row[])[0];
      return row === undefined ? undefined : decodeCart(row);
    },

    async saveCart(cart, answer) {
      const { id, ...changes } = cartColumns(cart);
      // Under READ COMMITTED a second writer waits for the first, then re-checks the version
      // against the row the first one wrote, so exactly one of two saves over a version wins.
      return transaction(sql, async (tx) => {
        const saved = (await tx`UPDATE carts SET ${tx(changes)} WHERE id = ${id} AND version = ${cart.version - 1}`).count === 1;
        if (saved && answer !== undefined) await keepAnswer(tx, answer);
        return saved;
      });
    },

    // The holds go through the stock store's own batched transactions (one per burst of carts).
    saveCartWithHolds: (cart, holds, nowMs, answer) => holdsThenSave(stock, carts, cart, holds, nowMs, answer),
  };
  return carts;
}
