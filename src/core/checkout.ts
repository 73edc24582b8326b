// Checkout: the one workflow that turns a cart into an order. It reads top to bottom:
//   1. validate the cart, its lines, the address and the shipping option
//   2. hold the units that are not held yet (or whose hold would end during the payment)
//   3. authorise the payment
//   4. write the order, its sale and its events in one transaction
//   5. capture the payment, and mark the order paid
// The shopper is answered once the money is taken: the order is durable by then (step 4), and a
// process that dies before the paid mark is written leaves a placed order whose capture the sweep
// repeats (captures are idempotent) and marks paid. Where the runtime takes writes after the
// answer (CoreDeps.afterAnswer), the paid mark is one: a checkout then waits for one durable write,
// not two. This process never shows the order as placed meanwhile: its reads wait (orders.ts).
// A failure undoes what came before it (void the authorisation, release the holds this
// checkout took) and leaves no order. A declined card keeps the holds until their TTL, so the
// shopper can retry with another card. Replaying a checkout returns the order it made.

import { openCart, soldOut } from './carts.ts';
import { normalizeEmail, type Cart } from './cart.ts';
import { isSellable, type SkuInfo } from './catalog.ts';
import type { CoreDeps } from './deps.ts';
import { ClaimRefused, DomainError, isClaimRefused } from './errors.ts';
import type { Address, Order, OrderDraft, OrderLine } from './order.ts';
import type { OrderService } from './orders.ts';
import { checkLineCount, checkLineQuantity, checkoutHoldExpiry } from './policy.ts';
import { orderTotals, shippingPrice } from './pricing.ts';
import type { HoldRequest } from './stock.ts';
import type { CommitClaim, CommitOrderResult, KeepAnswer, OrderLineSale } from './ports.ts';

export interface CheckoutRequest {
  cartId: string;
  email: string;
  shippingAddress: Address;
  shippingOption: string;
  paymentToken: string;
  /** The Idempotency-Key of this attempt; a retry with it returns the same order. */
  idempotencyKey: string;
  /** The caller's answer for the placed order, kept with the write that marks it paid. */
  keep?: KeepAnswer<PlacedOrder>;
  /**
   * The Idempotency-Key, claimed by the order's own write instead of a begin() before the
   * checkout (a store that claims in its writes only). A checkout that meets a key already
   * taken, or finds its cart checked out already under this key, fails with ClaimRefused having
   * changed nothing, and the caller answers it as begin() says. The payment is authorised before
   * the claim, so a duplicate that loses the claim authorised once for nothing, and voids it.
   */
  claim?: CommitClaim;
  /** Told once the order's write took the claim: from then on the key is this request's to settle. */
  onClaimed?: () => void;
}

export interface PlacedOrder {
  order: Order;
  /** The shopper's bearer token for reading the order; shown once. */
  token: string;
}

interface ValidatedCheckout {
  cart: Cart;
  lines: Array<{ info: SkuInfo; quantity: number; heldUntilMs: number | null }>;
  orderLines: OrderLine[];
  draftTotals: Order['totals'];
}

export async function checkout(deps: CoreDeps, orders: OrderService, request: CheckoutRequest): Promise<PlacedOrder> {
  const { store, clock, ids, payments } = deps;
  const email = normalizeEmail(request.email);

  // 0. A cart that already became an order with this key is a replay: answer with that order.
  const stored = await store.carts.getCart(request.cartId);
  if (stored?.status === 'completed') {
    // The first attempt's paid mark may still be on its way: the replay starts from it.
    if (stored.orderId !== null) await orders.settled(stored.orderId);
    return replayCompleted(deps, orders, stored, request);
  }

  // 1. Validate.
  const startedAtMs = clock.nowMs();
  const valid = await validate(deps, openCart(stored, startedAtMs), request);

  // 2. Hold what is not held yet (cart holds are renewed when they would not outlive the payment).
  const holds: HoldRequest[] = [];
  const heldAtCheckout: string[] = [];
  const paymentCoveredUntilMs = startedAtMs + deps.config.policy.checkoutHoldMinMs;
  for (const { info, quantity, heldUntilMs } of valid.lines) {
    const expiresAtMs = checkoutHoldExpiry(deps.config.policy, info.variant, startedAtMs);
    if (expiresAtMs === null) continue;
    // The line's hold was taken with it, for its quantity; while it outlives a slow payment it
    // covers this checkout already, and re-taking it would cost every order one more durable
    // write. (commitOrder checks stock again in any case: a hold is never what prevents oversell.)
    if (info.variant.holdAt === 'cart' && heldUntilMs !== null && heldUntilMs >= paymentCoveredUntilMs) continue;
    holds.push({ sku: info.variant.sku, quantity, expiresAtMs, allowBackorder: info.variant.allowBackorder });
    if (info.variant.holdAt === 'checkout') heldAtCheckout.push(info.variant.sku);
  }
  if (holds.length > 0) {
    const held = await store.stock.setHolds(valid.cart.id, holds, startedAtMs);
    if (!held.ok) throw soldOut(held.shortages);
  }

  // 3. Authorise the payment.
  const authorization = await payments.authorize({
    amountMinor: valid.draftTotals.totalMinor,
    currency: valid.cart.currency,
    token: request.paymentToken,
    reference: valid.cart.id,
  });
  if (!authorization.ok) {
    if (authorization.reason === 'declined') {
      throw new DomainError('payment-declined', authorization.message, { retryable: true });
    }
    throw new DomainError('payment-unavailable', authorization.message);
  }

  // 4. Write the order, its sale and its events in one transaction.
  const token = ids.newSecret();
  const nowMs = clock.nowMs();
  const draft: OrderDraft = {
    id: ids.newId('ord'),
    cartId: valid.cart.id,
    tokenHash: await ids.hashSecret(token),
    email,
    status: 'placed',
    currency: valid.cart.currency,
    lines: valid.orderLines,
    totals: valid.draftTotals,
    shippingAddress: request.shippingAddress,
    shippingOption: request.shippingOption,
    payment: { provider: payments.name, authorizationId: authorization.authorizationId, captured: false, refunded: false },
    checkoutKey: request.idempotencyKey,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  const sales: OrderLineSale[] = valid.lines.map(({ info, quantity }) => ({
    sku: info.variant.sku,
    quantity,
    allowBackorder: info.variant.allowBackorder,
    purchaseLimitPerCustomer: info.variant.purchaseLimitPerCustomer,
  }));
  let committed: CommitOrderResult;
  try {
    committed = await store.orders.commitOrder({
      draft,
      sales,
      events: [{ id: ids.newId('evt'), type: 'order.placed', occurredAtMs: nowMs }],
      nowMs,
      ...(request.claim === undefined ? {} : { claim: request.claim }),
    });
  } catch (error) {
    // Another request holds the key and goes on with this cart: its holds stay; this
    // authorisation was this request's own.
    if (isClaimRefused(error)) await payments.void(authorization.authorizationId);
    throw error;
  }
  if (committed.ok && request.claim !== undefined) request.onClaimed?.();
  if (!committed.ok) {
    await payments.void(authorization.authorizationId);
    if (heldAtCheckout.length > 0) await store.stock.releaseHolds(valid.cart.id, heldAtCheckout, clock.nowMs());
    if (committed.reason === 'sold-out') throw soldOut(committed.shortages);
    if (committed.reason === 'over-limit') {
      throw new DomainError('over-limit', `${committed.sku} is limited to ${committed.limit} per customer.`, {
        limit: 'per-customer',
        sku: committed.sku,
        max: committed.limit,
        alreadyBought: committed.alreadyBought,
      });
    }
    throw new DomainError('cart-completed', 'This cart has already been checked out.', { orderId: committed.orderId });
  }

  // 5. Capture (a failure cancels the order and gives its units back).
  const keep = request.keep;
  let placed: PlacedOrder | undefined;
  const paid = await orders.capture(
    committed.order,
    keep && ((order) => keep((placed = { order, token }))),
    { markPaidAfter: true },
  );
  // The very object the kept answer was made of, when the capture wrote one.
  return placed?.order === paid ? placed : { order: paid, token };
}

async function validate(deps: CoreDeps, cart: Cart, request: CheckoutRequest): Promise<ValidatedCheckout> {
  const { store, config } = deps;
  if (cart.lines.length === 0) throw new DomainError('cart-empty', 'The cart has no items to check out.');
  checkLineCount(config.policy, cart, false);

  const skus = await store.catalog.findSkus(cart.lines.map((line) => line.sku));
  const lines: ValidatedCheckout['lines'] = [];
  const orderLines: OrderLine[] = [];
  for (const line of cart.lines) {
    const info = skus.get(line.sku);
    const price = info?.variant.prices[cart.currency];
    if (!isSellable(info) || price === undefined) {
      throw new DomainError('unknown-sku', `${line.sku} is no longer for sale; remove it from the cart.`, { sku: line.sku, lineId: line.id });
    }
    checkLineQuantity(config.policy, info.variant, line.quantity);
    lines.push({ info, quantity: line.quantity, heldUntilMs: line.heldUntilMs });
    orderLines.push({
      sku: line.sku,
      productId: info.product.id,
      // An ASCII hyphen, as most shops join the two: one character outside Latin-1 (the em dash
      // this was) made every copy of the order (its row, events, kept answer and the answer
      // itself) a two-byte string, each stringified, cloned to the writer thread and encoded
      // to UTF-8 the slow way (docs/benchmarks.md, fourteenth session).
      title: info.variant.title ? `${info.product.title} - ${info.variant.title}` : info.product.title,
      quantity: line.quantity,
      unitPriceMinor: price,
      lineTotalMinor: price * line.quantity,
    });
  }

  const country = request.shippingAddress.country;
  const shippingMinor = shippingPrice(config.pricing, country, request.shippingOption, cart.currency);
  const subtotalMinor = orderLines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  const draftTotals = orderTotals(config.pricing, cart.currency, subtotalMinor, shippingMinor, country);
  return { cart, lines, orderLines, draftTotals };
}

/**
 * A checkout retried after its first attempt wrote the order (say the process died before it
 * answered) finds the order through the cart. The token of the first attempt was never seen
 * by anyone, so a fresh one is issued with the answer.
 */
async function replayCompleted(deps: CoreDeps, orders: OrderService, cart: Cart, request: CheckoutRequest): Promise<PlacedOrder> {
  const order = await deps.store.orders.getOrderByCart(cart.id);
  if (order === undefined || order.checkoutKey !== request.idempotencyKey) {
    throw new DomainError('cart-completed', 'This cart has already been checked out.', { orderId: cart.orderId });
  }
  // The same checkout again, by a caller that claims the key in the order's write: the key's
  // kept answer is the one to give (the first, with the token it showed).
  if (request.claim !== undefined) throw new ClaimRefused('this checkout placed its order already');
  const token = deps.ids.newSecret();
  const nowMs = deps.clock.nowMs();
  const reissued: Order = { ...order, tokenHash: await deps.ids.hashSecret(token), updatedAtMs: nowMs };
  const applied = await deps.store.orders.transitionOrder({ orderId: order.id, from: order.status, next: reissued, events: [], movements: [], nowMs });
  if (!applied) throw new DomainError('conflict', 'The order is being changed; retry the request.');
  return { order: await orders.capture(reissued), token };
}

