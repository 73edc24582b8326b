// The OrderStore port on PostgreSQL. commitOrder is the checkout's one transaction: it locks the
// stock rows it touches, sells, numbers the order from a gapless counter, writes the order and
// its outbox events and links the cart, or does none of it. orders.cart_id is UNIQUE, so two
// instances committing one cart at once end with one order (the loser runs again and finds it).

import { normalizeEmail } from '../../core/cart.ts';
import { orderEvent } from '../../core/events.ts';
import type { Address, Order, OrderLine, OrderStatus, PaymentRecord } from '../../core/order.ts';
import { orderPageSizeMax } from '../../core/order.ts';
import type { CommitOrderInput, CommitOrderResult, OrderLineSale, OrderStore, TransitionInput } from '../../core/ports.ts';
import type { Totals } from '../../core/pricing.ts';
import type { Shortage } from '../../core/stock.ts';
import { combineSales, staleOrdersMax } from '../sqlite/orders.ts';
import { cursorInt, encodeCursor, int, json, pageSize, refuseNul, text, textOrNull, type Row } from './codec.ts';
import { all, isUniqueViolation, read, RetryTransaction, transaction, type Sql, type Tx } from './connection.ts';
import { appendEvents } from './events.ts';
import { lockStock, toLevel, type LockedStock } from './ledger.ts';

const orderColumns = `id, number, cart_id, token_hash, email, status, currency, lines_json, totals_json, shipping_address_json,
  shipping_option, payment_json, checkout_key, created_at_ms, updated_at_ms`;

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
function mutableColumns(order: Omit<Order, 'number'>) {
  const { id, cartId, tokenHash, email, currency, shippingOption, checkoutKey } = order;
  refuseNul({ 'order id': id, 'cart id': cartId, tokenHash, email, currency, shippingOption, checkoutKey });
  return {
    token_hash: order.tokenHash,
    email: order.email,
    email_key: normalizeEmail(order.email),
    status: order.status,
    currency: order.currency,
    lines_json: JSON.stringify(order.lines),
    totals_json: JSON.stringify(order.totals),
    shipping_address_json: JSON.stringify(order.shippingAddress),
    shipping_option: order.shippingOption,
    payment_json: JSON.stringify(order.payment),
    checkout_key: order.checkoutKey,
    created_at_ms: order.createdAtMs,
    updated_at_ms: order.updatedAtMs,
  };
}

function shortagesOf(stock: LockedStock, cartId: string, needs: readonly OrderLineSale[]): Shortage[] {
  const shortages: Shortage[] = [];
  for (const need of needs) {
    if (need.allowBackorder) continue;
    // The cart's own holds are released by this commit, so they are available to it.
    const availableToCart = toLevel(need.sku, stock.counters(need.sku)).available + stock.heldBy(cartId, need.sku);
    if (availableToCart < need.quantity) shortages.push({ sku: need.sku, requested: need.quantity, available: Math.max(0, availableToCart) });
  }
  return shortages;
}

async function commitInTransaction(tx: Tx, input: CommitOrderInput): Promise<CommitOrderResult> {
  const { draft, nowMs } = input;
  const [linked, heldSkuRows] = (await all([
    tx`SELECT (SELECT order_id FROM carts WHERE id = ${draft.cartId}) AS linked, (SELECT id FROM orders WHERE cart_id = ${draft.cartId}) AS ordered`,
    tx`SELECT sku FROM stock_holds WHERE cart_id = ${draft.cartId}`,
  ])) as [Row[], Row[]];
  const completedAs = textOrNull(linked[0] ?? {}, 'linked') ?? textOrNull(linked[0] ?? {}, 'ordered');
  if (completedAs !== null) return { ok: false, reason: 'cart-completed', orderId: completedAs };

  const needs = combineSales(input.sales);
  const lockedSkus = [...needs.map((need) => need.sku), ...heldSkuRows.map((row) => text(row, 'sku'))];
  const stock = await lockStock(tx, lockedSkus, nowMs, draft.cartId);
  // The cart gained a hold on another SKU between the first read and the locks (another
  // instance changing the cart): run again, locking that SKU too.
  if (stock.cartHolds().some((held) => !lockedSkus.includes(held.sku))) throw new RetryTransaction('the cart moved while its order was written');

  const shortages = shortagesOf(stock, draft.cartId, needs);
  if (shortages.length > 0) return { ok: false, reason: 'sold-out', shortages };
  const emailKey = normalizeEmail(draft.email);
  for (const need of needs) {
    const limit = need.purchaseLimitPerCustomer;
    if (limit === null) continue;
    // Read after the SKU's lock: a concurrent order of the same customer either committed
    // before (and is counted here) or waits behind this one.
    const [bought] = (await tx`
      SELECT COALESCE(SUM((line.value->>'quantity')::INT8), 0)::INT8 AS units
      FROM orders, jsonb_array_elements(orders.lines_json::JSONB) AS line
      WHERE orders.email_key = ${emailKey} AND orders.status NOT IN ('cancelled', 'refunded') AND line.value->>'sku' = ${need.sku}`) as Row[];
    const alreadyBought = int(bought ?? {}, 'units');
    if (alreadyBought + need.quantity > limit) return { ok: false, reason: 'over-limit', sku: need.sku, limit, alreadyBought };
  }

  // Every check passed: from here on, everything is written.
  for (const held of stock.cartHolds()) stock.putHold(draft.cartId, held.sku, 0, nowMs, false);
  for (const need of needs) {
    stock.move({ sku: need.sku, type: 'sale', quantity: need.quantity, reason: 'order', reference: draft.id, atMs: nowMs }, need.allowBackorder);
  }
  const [, numbered] = (await all([stock.flush(), tx`UPDATE counters SET value = value + 1 WHERE name = 'order_number' RETURNING value`])) as [
    unknown,
    Row[],
  ];
  const order: Order = { ...draft, number: int(numbered[0] ?? {}, 'value') };
  const columns = { id: order.id, number: order.number, cart_id: order.cartId, ...mutableColumns(order) };
  await all([
    tx`INSERT INTO orders ${tx(columns)}`,
    // Best effort: a cart row that does not exist is fine, orders.cart_id is UNIQUE regardless.
    tx`UPDATE carts SET status = 'completed', order_id = ${order.id}, version = version + 1, updated_at_ms = ${nowMs} WHERE id = ${order.cartId}`,
    appendEvents(
      tx,
      input.events.map((event) => orderEvent(event.id, event.type, order, event.occurredAtMs)),
    ),
  ]);
  return { ok: true, order };
}

async function transitionInTransaction(tx: Tx, input: TransitionInput): Promise<boolean> {
  if (input.next.id !== input.orderId) throw new Error(`transition of ${input.orderId} got order ${input.next.id}`);
  // The order's row lock first, then its SKUs, then the event counter: the same order every writer keeps.
  const [current] = (await tx`SELECT status FROM orders WHERE id = ${input.orderId} FOR UPDATE`) as Row[];
  if (current === undefined || text(current, 'status') !== input.from) return false;
  const stock = await lockStock(
    tx,
    input.movements.map((movement) => movement.sku),
    input.nowMs,
  );
  for (const movement of input.movements) stock.move({ ...movement, reference: input.orderId, atMs: input.nowMs }, false);
  await all([tx`UPDATE orders SET ${tx(mutableColumns(input.next))} WHERE id = ${input.orderId}`, stock.flush(), appendEvents(tx, input.events)]);
  return true;
}

export function createOrderStore(sql: Sql): OrderStore {
  async function orderWhere(column: 'id' | 'cart_id', key: string): Promise<Order | undefined> {
    const rows = await read(() => sql.unsafe(`SELECT ${orderColumns} FROM orders WHERE ${column} = $1`, [key]));
    const row = (rows as Row[])[0];
    return row === undefined ? undefined : decodeOrder(row);
  }

  return {
    async commitOrder(input) {
      return transaction(sql, async (tx) => {
        try {
          return await commitInTransaction(tx, input);
        } catch (error) {
          // Another instance wrote this cart's order after our first read: run again, and the
          // fresh read answers 'cart-completed' with that order.
          if (isUniqueViolation(error, 'orders_cart_id_key')) throw new RetryTransaction('the cart became an order meanwhile');
          throw error;
        }
      });
    },

    getOrder: (id) => orderWhere('id', id),

    getOrderByCart: (cartId) => orderWhere('cart_id', cartId),

    async listOrders(query) {
      const limit = pageSize(query.limit, orderPageSizeMax);
      const beforeNumber = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : cursorInt(query.cursor, 'number');
      const rows = (await read(() =>
        query.status === undefined
          ? sql.unsafe(`SELECT ${orderColumns} FROM orders WHERE number < $1 ORDER BY number DESC LIMIT $2`, [beforeNumber, limit + 1])
          : sql.unsafe(`SELECT ${orderColumns} FROM orders WHERE status = $1 AND number < $2 ORDER BY number DESC LIMIT $3`, [query.status, beforeNumber, limit + 1]),
      )) as Row[];
      const items = rows.slice(0, limit).map(decodeOrder);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ number: last.number }) : null };
    },

    async listStaleOrders(status, beforeMs, limit) {
      const rows = await read(() =>
        sql.unsafe(`SELECT ${orderColumns} FROM orders WHERE status = $1 AND updated_at_ms < $2 ORDER BY updated_at_ms, number LIMIT $3`, [
          status,
          beforeMs,
          pageSize(limit, staleOrdersMax),
        ]),
      );
      return (rows as Row[]).map(decodeOrder);
    },

    async transitionOrder(input) {
      return transaction(sql, (tx) => transitionInTransaction(tx, input));
    },
  };
}
