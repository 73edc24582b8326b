// The OrderStore port on PostgreSQL. commitOrder is the checkout's one transaction: it locks the
// stock rows it touches, sells, numbers the order from a gapless counter, writes the order and
// its outbox events and links the cart, or does none of it. orders.cart_id is UNIQUE, so two
// instances committing one cart at once end with one order (the loser runs again and finds it).

import { normalizeEmail } from '../../core/cart.ts';
import { orderEvent, type DomainEvent } from '../../core/events.ts';
import type { Address, Order, OrderLine, OrderStatus, PaymentRecord } from '../../core/order.ts';
import { orderPageSizeMax } from '../../core/order.ts';
import type { CommitOrderInput, CommitOrderResult, OrderLineSale, OrderStore, TransitionInput } from '../../core/ports.ts';
import type { Totals } from '../../core/pricing.ts';
import type { Shortage } from '../../core/stock.ts';
import { combineSales, staleOrdersMax } from '../sqlite/orders.ts';
import { cursorInt, encodeCursor, int, json, pageSize, refuseNul, text, textOrNull, type Row } from './codec.ts';
import { all, isUniqueViolation, read, RetryTransaction, transaction, type Sql, type Tx } from './connection.ts';
import { createBatcher } from './batcher.ts';
import { appendEvents, insertEvents } from './events.ts';
import { keepAnswer } from './idempotency.ts';
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

/** One order of a batch: its combined needs, and what became of it. */
interface Pending {
  input: CommitOrderInput;
  needs: OrderLineSale[];
  emailKey: string;
  result?: CommitOrderResult;
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

/**
 * Commits a batch of orders in one transaction (group commit: one lock of each hot row, one
 * fsync for all of them). Each order is decided in turn against the stock as the ones before
 * it in the batch left it, exactly as if they had committed one after the other; a refused
 * order changes nothing. Results come back in the order of `inputs`.
 */
export async function commitBatch(tx: Tx, inputs: readonly CommitOrderInput[]): Promise<CommitOrderResult[]> {
  const nowMs = Math.max(...inputs.map((input) => input.nowMs));
  const cartIds = [...new Set(inputs.map((input) => input.draft.cartId))];
  const [linkedRows, orderedRows, heldRows] = (await all([
    tx`SELECT id, order_id FROM carts WHERE id = ANY(${cartIds}::TEXT[]) AND order_id IS NOT NULL`,
    tx`SELECT cart_id, id FROM orders WHERE cart_id = ANY(${cartIds}::TEXT[])`,
    tx`SELECT cart_id, sku FROM stock_holds WHERE cart_id = ANY(${cartIds}::TEXT[])`,
  ])) as [Row[], Row[], Row[]];
  const completedAs = new Map<string, string>();
  for (const row of orderedRows) completedAs.set(text(row, 'cart_id'), text(row, 'id'));
  for (const row of linkedRows) completedAs.set(text(row, 'id'), text(row, 'order_id'));

  const pending: Pending[] = inputs.map((input) => ({ input, needs: combineSales(input.sales), emailKey: normalizeEmail(input.draft.email) }));
  const lockedSkus = [...pending.flatMap((order) => order.needs.map((need) => need.sku)), ...heldRows.map((row) => text(row, 'sku'))];
  const stock = await lockStock(tx, lockedSkus, nowMs, cartIds);
  // A cart gained a hold on another SKU between the first read and the locks (another instance
  // changing the cart): run again, locking that SKU too.
  for (const cartId of cartIds) {
    if (stock.cartHolds(cartId).some((held) => !lockedSkus.includes(held.sku))) throw new RetryTransaction('a cart moved while its order was written');
  }

  // Units each customer already bought of each limited SKU, read after the SKU's lock: a
  // concurrent order of the same customer either committed before (and is counted) or waits.
  const limitedPairs = pending.flatMap((order) => order.needs.filter((need) => need.purchaseLimitPerCustomer !== null).map((need) => ({ emailKey: order.emailKey, sku: need.sku })));
  const bought = new Map<string, number>();
  if (limitedPairs.length > 0) {
    const rows = (await tx`
      SELECT orders.email_key, line.value->>'sku' AS sku, COALESCE(SUM((line.value->>'quantity')::INT8), 0)::INT8 AS units
      FROM orders, jsonb_array_elements(orders.lines_json::JSONB) AS line
      WHERE orders.email_key = ANY(${limitedPairs.map((pair) => pair.emailKey)}::TEXT[])
        AND orders.status NOT IN ('cancelled', 'refunded')
        AND line.value->>'sku' = ANY(${limitedPairs.map((pair) => pair.sku)}::TEXT[])
      GROUP BY orders.email_key, line.value->>'sku'`) as Row[];
    for (const row of rows) bought.set(`${text(row, 'email_key')}\u0000${text(row, 'sku')}`, int(row, 'units'));
  }

  const accepted: Pending[] = [];
  for (const order of pending) {
    const { draft } = order.input;
    const earlier = completedAs.get(draft.cartId);
    if (earlier !== undefined) {
      order.result = { ok: false, reason: 'cart-completed', orderId: earlier };
      continue;
    }
    const shortages = shortagesOf(stock, draft.cartId, order.needs);
    if (shortages.length > 0) {
      order.result = { ok: false, reason: 'sold-out', shortages };
      continue;
    }
    const overLimit = order.needs.find((need) => {
      const limit = need.purchaseLimitPerCustomer;
      return limit !== null && (bought.get(`${order.emailKey}\u0000${need.sku}`) ?? 0) + need.quantity > limit;
    });
    if (overLimit !== undefined && overLimit.purchaseLimitPerCustomer !== null) {
      const alreadyBought = bought.get(`${order.emailKey}\u0000${overLimit.sku}`) ?? 0;
      order.result = { ok: false, reason: 'over-limit', sku: overLimit.sku, limit: overLimit.purchaseLimitPerCustomer, alreadyBought };
      continue;
    }
    // Every check passed: this order sells, and the ones after it see what it took.
    for (const held of stock.cartHolds(draft.cartId)) stock.putHold(draft.cartId, held.sku, 0, order.input.nowMs, false);
    for (const need of order.needs) {
      stock.move({ sku: need.sku, type: 'sale', quantity: need.quantity, reason: 'order', reference: draft.id, atMs: order.input.nowMs }, need.allowBackorder);
      const key = `${order.emailKey}\u0000${need.sku}`;
      bought.set(key, (bought.get(key) ?? 0) + need.quantity);
    }
    completedAs.set(draft.cartId, draft.id);
    accepted.push(order);
  }
  if (accepted.length === 0) {
    await stock.flush();
    return pending.map((order) => order.result!);
  }

  // Both gapless counters in one statement, taken last: they are the locks every order shares.
  const eventCount = accepted.reduce((sum, order) => sum + order.input.events.length, 0);
  const counters = (await tx`
    UPDATE counters SET value = value + CASE name WHEN 'order_number' THEN ${accepted.length}::INT8 ELSE ${eventCount}::INT8 END
    WHERE name IN ('order_number', 'event_sequence') RETURNING name, value`) as Row[];
  const counter = (name: string) => int(counters.find((row) => text(row, 'name') === name) ?? {}, 'value');
  let nextNumber = counter('order_number') - accepted.length + 1;
  let nextSequence = counter('event_sequence') - eventCount + 1;
  const orders: Order[] = [];
  const events: Array<DomainEvent & { sequence: number }> = [];
  for (const order of accepted) {
    const numbered: Order = { ...order.input.draft, number: nextNumber++ };
    orders.push(numbered);
    order.result = { ok: true, order: numbered };
    for (const event of order.input.events) events.push({ ...orderEvent(event.id, event.type, numbered, event.occurredAtMs), sequence: nextSequence++ });
  }
  const rows = orders.map((order) => ({ id: order.id, number: order.number, cart_id: order.cartId, ...mutableColumns(order) }));
  await all([
    stock.flush(),
    tx`INSERT INTO orders ${tx(rows)}`,
    // Best effort: a cart row that does not exist is fine, orders.cart_id is UNIQUE regardless.
    tx`
      UPDATE carts AS c SET status = 'completed', order_id = v.order_id, version = c.version + 1, updated_at_ms = v.at_ms
      FROM (SELECT unnest(${orders.map((order) => order.cartId)}::TEXT[]) AS cart_id, unnest(${orders.map((order) => order.id)}::TEXT[]) AS order_id,
                   unnest(${accepted.map((order) => order.input.nowMs)}::INT8[]) AS at_ms) AS v
      WHERE c.id = v.cart_id`,
    insertEvents(tx, events),
  ]);
  return pending.map((order) => order.result!);
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
  await all([tx`UPDATE orders SET ${tx(mutableColumns(input.next))} WHERE id = ${input.orderId}`, stock.flush(), appendEvents(tx, input.events.map((event) => orderEvent(event.id, event.type, input.next, event.occurredAtMs)))]);
  if (input.answer !== undefined) await keepAnswer(tx, input.answer);
  return true;
}

export function createOrderStore(sql: Sql): OrderStore {
  const batcher = createBatcher(sql, async (tx: Tx, inputs: readonly CommitOrderInput[]) => {
    try {
      return await commitBatch(tx, inputs);
    } catch (error) {
      // Another instance wrote one of these carts' orders after our first read: run again, and
      // the fresh read answers 'cart-completed' for it.
      if (isUniqueViolation(error, 'orders_cart_id_key')) throw new RetryTransaction('a cart became an order meanwhile');
      throw error;
    }
  });
  async function orderWhere(column: 'id' | 'cart_id', key: string): Promise<Order | undefined> {
    const rows = await read(() => sql.unsafe(`SELECT ${orderColumns} FROM orders WHERE ${column} = $1`, [key]));
    const row = (rows as Row[])[0];
    return row === undefined ? undefined : decodeOrder(row);
  }

  return {
    commitOrder(input) {
      return batcher.run(input);
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
