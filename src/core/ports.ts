// Every port the core talks through. Each is async, because the scale-out and edge adapters
// are, and named for what the domain needs. Adapters implement them; the core never imports one.

import type { Cart } from './cart.ts';
import type { Category, Page, Product, ProductQuery, SkuInfo } from './catalog.ts';
import type { EventType, StoredEvent } from './events.ts';
import type { Order, OrderDraft, OrderQuery, OrderStatus } from './order.ts';
import type { Hold, HoldRequest, HoldResult, MovementType, Shortage, StockLevel, StockMovement } from './stock.ts';

export interface Clock {
  nowMs(): number;
}

export interface Ids {
  /** A unique, unguessable id with a readable prefix, e.g. cart_3hV9…. */
  newId(prefix: string): string;
  /** A bearer secret (order tokens, webhook secrets). */
  newSecret(): string;
  /** A one-way hash of a secret, for storing and comparing it. */
  hashSecret(secret: string): Promise<string>;
}

export type AuthorizationResult =
  | { ok: true; authorizationId: string }
  | { ok: false; reason: 'declined' | 'unavailable'; message: string };

export interface PaymentProvider {
  readonly name: string;
  authorize(input: { amountMinor: number; currency: string; token: string; reference: string }): Promise<AuthorizationResult>;
  capture(authorizationId: string, amountMinor: number): Promise<{ ok: boolean }>;
  void(authorizationId: string): Promise<void>;
  refund(authorizationId: string, amountMinor: number): Promise<{ ok: boolean }>;
}

export interface CatalogStore {
  listCategories(): Promise<Category[]>;
  upsertCategory(category: Category): Promise<void>;
  /** Fails with DomainError 'conflict' when the slug or a SKU is taken. */
  createProduct(product: Product): Promise<void>;
  /** Replaces the product; fails with 'conflict' on a taken slug or SKU. */
  updateProduct(product: Product): Promise<void>;
  deleteProduct(id: string): Promise<boolean>;
  getProduct(id: string): Promise<Product | undefined>;
  getProductBySlug(slug: string): Promise<Product | undefined>;
  listProducts(query: ProductQuery): Promise<Page<Product>>;
  /** The variants of these SKUs with their products; SKUs that do not exist are absent. */
  findSkus(skus: string[]): Promise<Map<string, SkuInfo>>;
  countProducts(): Promise<number>;
}

export interface MovementRequest {
  sku: string;
  type: MovementType;
  quantity: number;
  reason: string;
  reference: string | null;
  /** When false, the movement fails if on-hand would drop below sold + held. */
  allowBelowCommitted: boolean;
}

export type MovementResult = { ok: true; level: StockLevel } | { ok: false; level: StockLevel };

export interface StockStore {
  /** Levels at nowMs: holds past their expiry no longer count, swept or not. */
  getLevels(skus: string[], nowMs: number): Promise<Map<string, StockLevel>>;
  /** Applies a movement atomically (receive, adjust, sync); unknown SKUs start at zero. */
  applyMovement(request: MovementRequest, nowMs: number): Promise<MovementResult>;
  /** Sets on-hand to an absolute figure (a WMS sync), as a 'sync' movement of the difference. */
  setOnHand(sku: string, onHand: number, reason: string, allowBelowCommitted: boolean, nowMs: number): Promise<MovementResult>;
  listMovements(sku: string, limit: number): Promise<StockMovement[]>;
  /**
   * Sets this cart's holds on the given SKUs to exactly the requested quantities, all or
   * nothing: either every request fits in what is available (counting the cart's own current
   * hold as available to it) or nothing changes and the shortages are returned.
   */
  setHolds(cartId: string, requests: HoldRequest[], nowMs: number): Promise<HoldResult>;
  /** Releases the cart's holds on these SKUs, or on all SKUs when skus is undefined. */
  releaseHolds(cartId: string, skus: string[] | undefined, nowMs: number): Promise<void>;
  listHolds(cartId: string, nowMs: number): Promise<Hold[]>;
  /** Releases up to `limit` holds that expired at or before nowMs; returns how many. */
  releaseExpiredHolds(nowMs: number, limit: number): Promise<number>;
}

/**
 * A request's answer, kept under its Idempotency-Key by the write that finishes the request:
 * in that write's transaction where the store can (a crash between the change and its answer
 * would let a retry make the change twice), else right after it. Only a write that succeeds
 * keeps it; one that fails or changes nothing leaves the key to the caller.
 */
export interface KeptAnswer {
  scope: string;
  key: string;
  response: IdempotencyResponse;
  /**
   * Set when the key was not claimed before the use case ran: the write claims it itself, in
   * its own transaction, and only a store whose `claimsInWrites` is true may be handed one. If
   * the key already has an answer or a running request, the write changes nothing and fails
   * with ClaimRefused; if the write changes nothing anyway, the key stays free.
   */
  claim?: KeyClaim;
}

/** What begin() would have been told about the request that now claims its key in a write. */
export interface KeyClaim {
  requestHash: string;
  nowMs: number;
  leaseMs: number;
}

/**
 * A use case's caller asks it to keep the answer for its result this way: the use case calls it
 * just before the write that makes the result (again for each retry of that write), hands the
 * answer to that write, and then returns the very result the last call was given, or fails.
 */
export type KeepAnswer<T> = (result: T) => KeptAnswer;

export type CartSaveResult = { ok: true } | { ok: false; reason: 'stale' } | { ok: false; reason: 'sold-out'; shortages: Shortage[] };

export interface CartStore {
  createCart(cart: Cart, answer?: KeptAnswer): Promise<void>;
  getCart(id: string): Promise<Cart | undefined>;
  /** Saves over `cart.version - 1`; returns false (and changes nothing) if it moved on. */
  saveCart(cart: Cart, answer?: KeptAnswer): Promise<boolean>;
  /**
   * saveCart and setHolds(cart.id, holds, nowMs) as one write: nothing changes when the cart
   * moved on ('stale') or a hold does not fit ('sold-out'). A store whose holds live apart from
   * its carts sets the holds first and then saves, so a stale save can leave the hold at the
   * new quantity until the cart's next change, its checkout or the hold's expiry.
   */
  saveCartWithHolds(cart: Cart, holds: HoldRequest[], nowMs: number, answer?: KeptAnswer): Promise<CartSaveResult>;
}

export interface OrderLineSale {
  sku: string;
  quantity: number;
  allowBackorder: boolean;
  /** Units of this SKU one email may hold in orders that are not cancelled, or null. */
  purchaseLimitPerCustomer: number | null;
}

export interface CommitOrderInput {
  draft: OrderDraft;
  sales: OrderLineSale[];
  /** Events written with the order; the store fills in the order number before saving. */
  events: Array<{ id: string; type: EventType; occurredAtMs: number }>;
  nowMs: number;
  /**
   * The request's Idempotency-Key, claimed by this write instead of a begin() before it; only a
   * store whose `claimsInWrites` is true may be handed one. A key that is taken (an answer
   * kept, another request running with it, another body) fails the write with ClaimRefused and
   * nothing changes. When the order is written the key stays claimed for this request, as after
   * begin(), until a later write keeps its answer or the caller completes or abandons it; when
   * it is not (sold out, over the limit), the key stays free.
   */
  claim?: CommitClaim;
}

/** A key to claim in an order's own write: begin()'s arguments, as KeyClaim holds them. */
export interface CommitClaim extends KeyClaim {
  scope: string;
  key: string;
}

export type CommitOrderResult =
  | { ok: true; order: Order }
  | { ok: false; reason: 'sold-out'; shortages: Shortage[] }
  | { ok: false; reason: 'over-limit'; sku: string; limit: number; alreadyBought: number }
  | { ok: false; reason: 'cart-completed'; orderId: string };

export interface TransitionInput {
  orderId: string;
  from: OrderStatus;
  /** The whole order after the change (status, payment record, updatedAtMs). */
  next: Order;
  /**
   * Events written with the change; the store makes each an order event of `next`, as
   * commitOrder does of the order it writes, so an event always shows the order it was written with.
   */
  events: Array<{ id: string; type: EventType; occurredAtMs: number }>;
  movements: Array<{ sku: string; type: MovementType; quantity: number; reason: string }>;
  nowMs: number;
  /** Kept with the transition when it applies. */
  answer?: KeptAnswer;
}

export interface OrderStore {
  /**
   * In one durable transaction: fails if the cart already became an order; releases the
   * cart's holds and sells every line if it fits in what is available; checks per-customer
   * limits; assigns the next order number; writes the order, its events and the cart's link
   * to it. Either all of it happens or none of it.
   */
  commitOrder(input: CommitOrderInput): Promise<CommitOrderResult>;
  getOrder(id: string): Promise<Order | undefined>;
  getOrderByCart(cartId: string): Promise<Order | undefined>;
  listOrders(query: OrderQuery): Promise<Page<Order>>;
  /** Orders in this status last changed before `beforeMs`, oldest first (for recovery). */
  listStaleOrders(status: OrderStatus, beforeMs: number, limit: number): Promise<Order[]>;
  /** Applies a transition only if the order is still in `from`; false if it moved on. */
  transitionOrder(input: TransitionInput): Promise<boolean>;
}

export type IdempotencyBegin =
  | { kind: 'started' }
  | { kind: 'replay'; status: number; body: string; contentType: string }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

/** The answer a finished request gave, kept for its replays. */
export interface IdempotencyResponse {
  status: number;
  body: string;
  contentType: string;
}

export interface IdempotencyStore {
  /**
   * True when every write of this store that keeps an answer honours its `claim`, so a request
   * whose only write keeps its answer can skip begin() (one round trip to the store less).
   */
  readonly claimsInWrites?: boolean;
  /** Claims the key for `leaseMs`, or reports what became of an earlier request with it. */
  begin(scope: string, key: string, requestHash: string, nowMs: number, leaseMs: number): Promise<IdempotencyBegin>;
  complete(scope: string, key: string, response: IdempotencyResponse, nowMs: number): Promise<void>;
  /** Forgets a claim whose request ended without a result worth replaying (e.g. overload). */
  abandon(scope: string, key: string): Promise<void>;
  purgeOlderThan(beforeMs: number, limit: number): Promise<number>;
}

export interface Webhook {
  id: string;
  url: string;
  /** Event types to deliver; empty means all. */
  eventTypes: EventType[];
  secret: string;
  createdAtMs: number;
  /** Every event after this sequence is still to be delivered. */
  deliveredThrough: number;
  attempts: number;
  nextAttemptAtMs: number;
  lastError: string | null;
}

export interface EventStore {
  /** Events with a sequence after `afterSequence`, ascending. */
  listEvents(afterSequence: number, limit: number): Promise<StoredEvent[]>;
  createWebhook(webhook: Webhook): Promise<void>;
  listWebhooks(): Promise<Webhook[]>;
  deleteWebhook(id: string): Promise<boolean>;
  /**
   * Leases a webhook whose next attempt is due, so that only one relay (of many instances)
   * delivers to it at a time; the lease ends at nowMs + leaseMs or at recordDelivery.
   */
  leaseDueWebhook(nowMs: number, leaseMs: number): Promise<Webhook | undefined>;
  recordDelivery(id: string, update: { deliveredThrough: number; attempts: number; nextAttemptAtMs: number; lastError: string | null }): Promise<void>;
}

/** Everything one shop stores; one adapter provides all of it. */
export interface Store {
  readonly catalog: CatalogStore;
  readonly stock: StockStore;
  readonly carts: CartStore;
  readonly orders: OrderStore;
  readonly idempotency: IdempotencyStore;
  readonly events: EventStore;
  /** Throws when the store cannot serve (for /readyz). */
  ping(): Promise<void>;
  /** Finishes pending writes, then closes. */
  close(): Promise<void>;
}
