// The OrderStore port on SQLite. commitOrder is the checkout's one transaction: it sells the
// stock, writes the order and its outbox events, and links the cart, or does none of it.

import type { SQLInputValue } from 'node:sqlite';
import { normalizeEmail } from '../../core/cart.ts';
import { orderEvent } from '../../core/events.ts';
import type { Address, Order, OrderLine, OrderStatus, PaymentRecord } from '../../core/order.ts';
import { orderPageSizeMax } from '../../core/order.ts';
import type { CommitOrderInput, CommitOrderResult, OrderLineSale, OrderStore, TransitionInput } from '../../core/ports.ts';
import type { Totals } from '../../core/pricing.ts';
import type { Shortage } from '../../core/stock.ts';
import type { Batcher } from './batcher.ts';
import { asRow, cursorInt, encodeCursor, int, json, pageSize, refuseNul, text, type Row } from './codec.ts';
import type { Prepare } from './connection.ts';
import { appendEvents } from './events.ts';
import type { AnswerKeeper } from './idempotency.ts';
import { createLedger, type Ledger, type SaleReads } from './ledger.ts';

/** Most orders one listStaleOrders call returns. */
export const staleOrdersMax = 1000;

const orderColumns = `id, number, cart_id, token_hash, email, status, currency, lines_json, totals_json, shipping_address_json,
  shipping_option, payment_json, checkout_key, created_at_ms, updated_at_ms`;

const sql = {
  byId: `SELECT ${orderColumns} FROM orders WHERE id = ?`,
  byCart: `SELECT ${orderColumns} FROM orders WHERE cart_id = ?`,
  page: `SELECT ${orderColumns} FROM orders WHERE number < :beforeNumber ORDER BY number DESC LIMIT :limit`,
  pageByStatus: `SELECT ${orderColumns} FROM orders WHERE status = :status AND number < :beforeNumber ORDER BY number DESC LIMIT :limit`,
  stale: `SELECT ${orderColumns} FROM orders WHERE status = ? AND updated_at_ms < ? ORDER BY updated_at_ms, number LIMIT ?`,
  // orders.cart_id is UNIQUE and written in the same transaction as the cart's order_id, so
  // its index alone says whether a cart became an order.
  orderIdOfCart: 'SELECT id FROM orders WHERE cart_id = ?',
  // Units of one SKU in one customer's orders that still stand (not cancelled or refunded).
  unitsBought: `
    SELECT COALESCE(SUM(json_extract(line.value, '$.quantity')), 0) AS units
    FROM orders, json_each(orders.lines_json) AS line
    WHERE orders.email_key = ? AND orders.status NOT IN ('cancelled', 'refunded') AND json_extract(line.value, '$.sku') = ?`,
  // One past the highest order's number, read from the number's own index; the first is 1001.
  // The counter row that migration 3 made moved with every order (8 µs of the writer thread's
  // 250 an order in bench:in-process, the read 2.6), always to the highest number, so it is
  // read no more. The write lock held by the transaction keeps two orders from reading the
  // same highest number.
  nextNumber: 'SELECT COALESCE(MAX(number), 1000) + 1 AS value FROM orders',
  insert: `
    INSERT INTO orders (id, number, cart_id, token_hash, email, email_key, status, currency, lines_json, totals_json,
      shipping_address_json, shipping_option, payment_json, checkout_key, created_at_ms, updated_at_ms)
    VALUES (:id, :number, :cartId, :tokenHash, :email, :emailKey, :status, :currency, :linesJson, :totalsJson,
      :shippingAddressJson, :shippingOption, :paymentJson, :checkoutKey, :createdAtMs, :updatedAtMs)`,
  // A transition changes the status, the payment record, the token (a replayed checkout
  // re-issues it) and the time, nothing else: the core builds `next` from the stored order.
  // Naming only those keeps SQLite from rewriting the entries of indexes on unchanged columns
  // (email_key above all, a random page per order).
  // The expected status is part of the condition: a transition from a status the order no
  // longer has changes nothing, without a read before the write.
  transition: `
    UPDATE orders SET status = :status, token_hash = :tokenHash, payment_json = :paymentJson, updated_at_ms = :updatedAtMs
    WHERE id = :id AND status = :from`,
  completeCart: "UPDATE carts SET status = 'completed', order_id = ?, version = version + 1, updated_at_ms = ? WHERE id = ?",
} as const;

function decodeOrder(row: Row): Order {
  return {
    id: text(row, 'id'),
    number: int(row, 'number'),
    cartId: text(row, 'cart_id'),
    tokenHash: text(row, 'token_hash'),
    email: text(row, 'email'),
    status: text(row, 'status') as OrderStatus,
    currency: text(row, 'currency'),
    lines: json<OrderLine[]>(row, 'lines_json'),
    totals: json<Totals>(row, 'totals_json'),
    shippingAddress: json<Address>(row, 'shipping_address_json'),
    shippingOption: text(row, 'shipping_option'),
    payment: json<PaymentRecord>(row, 'payment_json'),
    checkoutKey: text(row, 'checkout_key'),
    createdAtMs: int(row, 'created_at_ms'),
    updatedAtMs: int(row, 'updated_at_ms'),
  };
}

/** Every column but number and cart_id, which never change after the order is written. */
function orderParams(order: Omit<Order, 'number'>): Record<string, SQLInputValue> {
  const { id, cartId, tokenHash, email, currency, shippingOption, checkoutKey } = order;
  refuseNul({ 'order id': id, 'cart id': cartId, tokenHash, email, currency, shippingOption, checkoutKey });
  return {
    id: order.id,
    tokenHash: order.tokenHash,
    email: order.email,
    emailKey: normalizeEmail(order.email),
    status: order.status,
    currency: order.currency,
    linesJson: JSON.stringify(order.lines),
    totalsJson: JSON.stringify(order.totals),
    shippingAddressJson: JSON.stringify(order.shippingAddress),
    shippingOption: order.shippingOption,
    paymentJson: JSON.stringify(order.payment),
    checkoutKey: order.checkoutKey,
    createdAtMs: order.createdAtMs,
    updatedAtMs: order.updatedAtMs,
  };
}

/**
 * One need per SKU: lines of the same SKU add up; backorder only if every line allows it; the
 * tightest per-customer limit wins.
 */
export function combineSales(sales: readonly OrderLineSale[]): OrderLineSale[] {
  const bySku = new Map<string, OrderLineSale>();
  for (const sale of sales) {
    if (!Number.isSafeInteger(sale.quantity) || sale.quantity <= 0) throw new Error(`a sale of ${sale.sku} must be a positive integer`);
    const seen = bySku.get(sale.sku);
    if (seen === undefined) {
      bySku.set(sale.sku, { ...sale });
      continue;
    }
    const limits = [seen.purchaseLimitPerCustomer, sale.purchaseLimitPerCustomer].filter((limit) => limit !== null);
    bySku.set(sale.sku, {
      sku: sale.sku,
      quantity: seen.quantity + sale.quantity,
      allowBackorder: seen.allowBackorder && sale.allowBackorder,
      purchaseLimitPerCustomer: limits.length > 0 ? Math.min(...limits) : null,
    });
  }
  return [...bySku.values()];
}

export function createOrderStore(prepare: Prepare, batcher: Batcher, answers: AnswerKeeper): OrderStore {
  const ledger: Ledger = createLedger(prepare);

  function orderIdOfCart(cartId: string): string | null {
    const order = prepare(sql.orderIdOfCart).get(cartId);
    return order === undefined ? null : text(asRow(order), 'id');
  }

  /** What the cart lacks; the levels read (and whether holds were released) go into `read` for the sale. */
  function shortagesOf(cartId: string, needs: readonly OrderLineSale[], nowMs: number, read: SaleReads): Shortage[] {
    const shortages: Shortage[] = [];
    const heldByCart = new Map(read.holds?.map((hold) => [hold.sku, hold.quantity]));
    for (const need of needs) {
      if (need.allowBackorder) continue;
      // The cart's own holds are released by this commit, so they are available to it.
      const fits = (_own: number, availableToCart: number) => availableToCart >= need.quantity;
      const standing = ledger.standing(cartId, need.sku, nowMs, fits, heldByCart.get(need.sku) ?? 0);
      const { counters, availableToCart } = standing;
      if (standing.released) read.holds = undefined;
      read.counters.set(need.sku, counters);
      if (!standing.fits) shortages.push({ sku: need.sku, requested: need.quantity, available: Math.max(0, availableToCart) });
    }
    return shortages;
  }

  function commitInTransaction(input: CommitOrderInput): CommitOrderResult {
    const { draft, nowMs } = input;
    const completedAs = orderIdOfCart(draft.cartId);
    if (completedAs !== null) return { ok: false, reason: 'cart-completed', orderId: completedAs };

    const needs = combineSales(input.sales);
    const read: SaleReads = { holds: ledger.holdsOfCart(draft.cartId), counters: new Map() };
    const shortages = shortagesOf(draft.cartId, needs, nowMs, read);
    if (shortages.length > 0) return { ok: false, reason: 'sold-out', shortages };
    const emailKey = normalizeEmail(draft.email);
    for (const need of needs) {
      const limit = need.purchaseLimitPerCustomer;
      if (limit === null) continue;
      const alreadyBought = int(asRow(prepare(sql.unitsBought).get(emailKey, need.sku)), 'units');
      if (alreadyBought + need.quantity > limit) return { ok: false, reason: 'over-limit', sku: need.sku, limit, alreadyBought };
    }

    // Every check passed: from here on, everything is written.
    ledger.sellFromHolds(
      draft.cartId,
      needs.map((need) => ({ sku: need.sku, type: 'sale', quantity: need.quantity, reason: 'order', reference: draft.id, atMs: nowMs, oversellAllowed: need.allowBackorder })),
      read,
    );
    const number = int(asRow(prepare(sql.nextNumber).get()), 'value');
    const order: Order = { ...draft, number };
    prepare(sql.insert).run({ ...orderParams(order), number, cartId: order.cartId });
    appendEvents(
      prepare,
      input.events.map((event) => orderEvent(event.id, event.type, order, event.occurredAtMs)),
    );
    // Best effort: a cart row that does not exist is fine, orders.cart_id is UNIQUE regardless.
    prepare(sql.completeCart).run(order.id, nowMs, order.cartId);
    return { ok: true, order };
  }

  function transitionInTransaction(input: TransitionInput): boolean {
    if (input.next.id !== input.orderId) throw new Error(`transition of ${input.orderId} got order ${input.next.id}`);
    const { next } = input;
    refuseNul({ tokenHash: next.tokenHash });
    const changed = prepare(sql.transition).run({
      id: next.id,
      status: next.status,
      tokenHash: next.tokenHash,
      paymentJson: JSON.stringify(next.payment),
      updatedAtMs: next.updatedAtMs,
      from: input.from,
    }).changes;
    if (Number(changed) !== 1) return false;
    appendEvents(
      prepare,
      input.events.map((event) => orderEvent(event.id, event.type, next, event.occurredAtMs)),
    );
    ledger.releaseExpiredOf(
      input.movements.map((movement) => movement.sku),
      input.nowMs,
    );
    for (const movement of input.movements) ledger.move({ ...movement, reference: input.orderId, atMs: input.nowMs }, false);
    return true;
  }

  function ordersOf(rows: unknown[]): Order[] {
    return rows.map((found) => decodeOrder(asRow(found)));
  }

  return {
    commitOrder(input) {
      if (input.claim !== undefined) return answers.claimFor(input.claim, () => commitInTransaction(input), (result) => result.ok);
      return batcher.run(() => commitInTransaction(input));
    },

    async getOrder(id) {
      const found = prepare(sql.byId).get(id);
      return found === undefined ? undefined : decodeOrder(asRow(found));
    },

    async getOrderByCart(cartId) {
      const found = prepare(sql.byCart).get(cartId);
      return found === undefined ? undefined : decodeOrder(asRow(found));
    },

    async listOrders(query) {
      const limit = pageSize(query.limit, orderPageSizeMax);
      const beforeNumber = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : cursorInt(query.cursor, 'number');
      const rows =
        query.status === undefined
          ? prepare(sql.page).all({ beforeNumber, limit: limit + 1 })
          : prepare(sql.pageByStatus).all({ status: query.status, beforeNumber, limit: limit + 1 });
      const items = ordersOf(rows.slice(0, limit));
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ number: last.number }) : null };
    },

    async listStaleOrders(status, beforeMs, limit) {
      return ordersOf(prepare(sql.stale).all(status, beforeMs, pageSize(limit, staleOrdersMax)));
    },

    transitionOrder(input) {
      return answers.run(input.answer, () => transitionInTransaction(input), (applied) => applied);
    },
  };
}
