// The CartStore port on SQLite. A cart is one row; its lines are JSON (they are always read and
// written whole), and `version` makes every save conditional on the version it was read at.

import type { Cart, CartLine, CartStatus } from '../../core/cart.ts';
import { DomainError } from '../../core/errors.ts';
import type { CartSaveResult, CartStore } from '../../core/ports.ts';
import type { SQLInputValue } from 'node:sqlite';
import { asRow, int, json, refuseNul, text, textOrNull, type Row } from './codec.ts';
import type { Prepare } from './connection.ts';
import type { AnswerKeeper } from './idempotency.ts';
import { holdsInTransaction } from './stock.ts';

const sql = {
  cart: `
    SELECT id, version, status, order_id, currency, email, lines_json, created_at_ms, updated_at_ms, expires_at_ms
    FROM carts WHERE id = ?`,
  // A taken id changes nothing (and is reported): one statement instead of a look and an insert.
  insert: `
    INSERT INTO carts (id, version, status, order_id, currency, email, lines_json, created_at_ms, updated_at_ms, expires_at_ms)
    VALUES (:id, :version, :status, :orderId, :currency, :email, :linesJson, :createdAtMs, :updatedAtMs, :expiresAtMs)
    ON CONFLICT (id) DO NOTHING`,
  version: 'SELECT version FROM carts WHERE id = ?',
  save: `
    UPDATE carts SET version = :version, status = :status, order_id = :orderId, currency = :currency, email = :email,
      lines_json = :linesJson, created_at_ms = :createdAtMs, updated_at_ms = :updatedAtMs, expires_at_ms = :expiresAtMs
    WHERE id = :id AND version = :readVersion`,
} as const;

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

/**
 * The cart as getCart reads it back once `cart` was written: the same fields, and copies of
 * the lines (a CartLine holds only strings, numbers and null, so a copy is what lines_json
 * gives back; the writer thread encodes them for the row, so this does not encode them again).
 * Frozen, because a cache hands the same object to every reader.
 */
export function storedCart(cart: Cart): Cart {
  const lines = cart.lines.map((line): CartLine => Object.freeze({ ...line }));
  Object.freeze(lines);
  return Object.freeze({
    id: cart.id,
    currency: cart.currency,
    email: cart.email,
    lines,
    status: cart.status,
    orderId: cart.orderId,
    createdAtMs: cart.createdAtMs,
    updatedAtMs: cart.updatedAtMs,
    expiresAtMs: cart.expiresAtMs,
    version: cart.version,
  });
}

function cartParams(cart: Cart): Record<string, SQLInputValue> {
  refuseNul({ 'cart id': cart.id, currency: cart.currency, email: cart.email, 'order id': cart.orderId });
  return {
    id: cart.id,
    version: cart.version,
    status: cart.status,
    orderId: cart.orderId,
    currency: cart.currency,
    email: cart.email,
    linesJson: JSON.stringify(cart.lines),
    createdAtMs: cart.createdAtMs,
    updatedAtMs: cart.updatedAtMs,
    expiresAtMs: cart.expiresAtMs,
  };
}

/** `answers` runs every write of the carts (through the store's batcher), keeping a request's answer with it. */
export function createCartStore(prepare: Prepare, answers: AnswerKeeper): CartStore {
  const setHolds = holdsInTransaction(prepare);
  return {
    async createCart(cart, answer) {
      await answers.run(
        answer,
        () => {
          if (Number(prepare(sql.insert).run(cartParams(cart)).changes) === 0) {
            throw new DomainError('conflict', `A cart with id '${cart.id}' already exists.`, { id: cart.id });
          }
        },
        () => true,
      );
    },

    async getCart(id) {
      const found = prepare(sql.cart).get(id);
      return found === undefined ? undefined : decodeCart(asRow(found));
    },

    saveCart(cart, answer) {
      return answers.run(
        answer,
        () => Number(prepare(sql.save).run({ ...cartParams(cart), readVersion: cart.version - 1 }).changes) === 1,
        (saved) => saved,
      );
    },

    saveCartWithHolds(cart, holds, nowMs, answer) {
      return answers.run(
        answer,
        (): CartSaveResult => {
          // One writer runs the batch, so the version read here is still the row's at the update.
          const found = prepare(sql.version).get(cart.id);
          if (found === undefined || int(asRow(found), 'version') !== cart.version - 1) return { ok: false, reason: 'stale' };
          const held = setHolds(cart.id, holds, nowMs);
          if (!held.ok) return { ok: false, reason: 'sold-out', shortages: held.shortages };
          prepare(sql.save).run({ ...cartParams(cart), readVersion: cart.version - 1 });
          return { ok: true };
        },
        (result) => result.ok,
      );
    },
  };
}
