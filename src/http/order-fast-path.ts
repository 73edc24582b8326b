// The order flow's three writes (create a cart, add a line, check out) answered without the
// middleware stack: in a flash sale they are every request that costs, and each went through ten
// middleware, a Request and a Response object before reaching a few lines of use case.
//
// Only the plain case is taken: a JSON body with a declared length, a sane or no Idempotency-Key,
// room in the admission budget. Everything else stays the app's, untouched. Once the body is read,
// what is still unusual (malformed JSON, an invalid body, an idempotent replay, a reused or running
// key) is handed back before anything changed, and the app answers it from the same bytes. What
// runs here runs the routes' own actions (cart-actions.ts), counts into the app's admission gates,
// keeps answers for replays like the idempotency middleware, and answers failures with the same
// problem documents. On a store that claims keys in its writes (the embedded one), no request
// begins with a begin(): a new cart and an added line claim their key in the write that keeps
// their answer, a checkout in the write of its order. A replay or a running duplicate is found by
// that write, which then changes nothing, and the request is handed back like the rest. (Each
// begin() was a round trip to the writer thread, and the messages of a round trip cost the two
// threads more than the claim itself: docs/benchmarks.md.)

import { isClaimRefused } from '../core/errors.ts';
import type { Clock, IdempotencyStore, KeepAnswer } from '../core/ports.ts';
import type { Shop } from '../core/shop.ts';
import { sha256Hex } from '../platform/web-crypto.ts';
import { addLine, checkout, createCart, type ActionDeps, type ActionInput } from './cart-actions.ts';
import { storeAnswerHeaders, type FastAnswer, type FastRequest } from './fast-answer.ts';
import { failureAnswer } from './failure.ts';
import { enter, leave, type AdmissionGates, type Gate } from './middleware/admission.ts';
import { idempotencyLeaseMs, idempotencyScope, keeper, saneKey, worthReplaying, type KeeperSlot } from './middleware/idempotency.ts';
import { requestIdFrom } from './middleware/request-id.ts';
import type { HttpLogger, HttpMetrics } from './ports.ts';
import { AddLineBody, CheckoutBody, CreateCartBody } from './schemas.ts';

/** A request this path took, its admission place held; the runtime reads the body, then calls one of these. */
export interface OrderTicket {
  /** The answer, or undefined when the app should answer instead: nothing changed and the place is given back. */
  answer(body: string): Promise<FastAnswer | undefined>;
  /** The body could not be read (the client went away): gives the place back. */
  drop(): void;
}

/** Takes a request before its body is read, or leaves it (undefined) to the app. */
export type OrderFastPath = (request: FastRequest) => OrderTicket | undefined;

export interface OrderFastPathOptions {
  shop: Shop;
  metrics: HttpMetrics;
  logger: HttpLogger;
  gates: AdmissionGates;
  corsOrigins: readonly string[];
  bodyBytesMax: number;
  hashText?: ((text: string) => string | Promise<string>) | undefined;
}

interface Action<B, T> {
  status: number;
  render(result: T): object;
  run(deps: ActionDeps, input: ActionInput<B>, keep: KeepAnswer<T> | undefined): Promise<T>;
}

interface Route<B, T> {
  /** As the app names it in metrics. */
  name: string;
  schema: { safeParse(input: unknown): { success: true; data: B } | { success: false } };
  action: Action<B, T>;
  gate: Gate;
  /**
   * Where the key is claimed on a store that claims in its writes, with no begin() first: in
   * the action's one write, which keeps its answer too (a new cart, an added line); or in the
   * checkout's order write, the first that changes anything, while the answer is kept by the
   * write that marks the order paid.
   */
  claimIn: 'write' | 'commit';
}

const cartsPath = '/store/carts';
const cartPrefix = '/store/carts/';
/** Cart ids as this shop makes them; an id the app would decode or refuse is the app's to answer. */
const plainId = /^[A-Za-z0-9_-]{1,64}$/;
/** Media types both the body middleware and the validator accept as they are. */
const plainJson = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const plainLength = /^[1-9][0-9]{0,8}$/;
const jsonType = 'application/json';

/** A route with its body's type resolved: answers a read body, or hands it back (undefined). */
interface PlainRoute {
  name: string;
  gate: Gate;
  answer(request: FastRequest, cartId: string, key: string | undefined, text: string): Promise<FastAnswer | undefined>;
}

export function orderFastPath(options: OrderFastPathOptions): OrderFastPath {
  const { shop, metrics, logger, gates } = options;
  const deps: ActionDeps = { shop, metrics };
  const store: IdempotencyStore = shop.deps.store.idempotency;
  const clock: Clock = shop.deps.clock;
  const claimsInWrites = store.claimsInWrites === true;
  const hashText = options.hashText ?? sha256Hex;
  const addStoreHeaders = storeAnswerHeaders(options.corsOrigins);

  /** An answer before the store headers: the action's, or the problem an error became. */
  type Answered = { status: number; headers: Record<string, string>; body: string };

  /** The route's part: the action's answer, or the problem its error becomes (a refused claim is thrown on). */
  async function run<B, T>(action: Action<B, T>, input: ActionInput<B>, slot: KeeperSlot | undefined): Promise<{ answered: Answered; kept: boolean }> {
    try {
      const { keep, keptBody } = keeper(slot, action.status, action.render);
      const result = await action.run(deps, input, keep);
      const kept = keptBody(result);
      return { answered: { status: action.status, headers: { 'content-type': jsonType }, body: kept ?? JSON.stringify(action.render(result)) }, kept: kept !== undefined };
    } catch (error) {
      if (isClaimRefused(error)) throw error;
      return { answered: failureAnswer(error, { metrics, logger, requestId: input.requestId }), kept: false };
    }
  }

  /** An answer nothing kept: stored for replays (under a claim the caller holds), or the claim given up. */
  async function settle(scope: string, key: string, answered: Answered): Promise<void> {
    if (worthReplaying(answered.status)) {
      await store.complete(scope, key, { status: answered.status, body: answered.body, contentType: answered.headers['content-type'] ?? jsonType }, clock.nowMs());
    } else await store.abandon(scope, key);
  }

  /** The action's outcome, or undefined when a write refused the claim it carried (nothing changed). */
  async function runClaiming<B, T>(action: Action<B, T>, input: ActionInput<B>, slot: KeeperSlot): Promise<{ answered: Answered; kept: boolean } | undefined> {
    try {
      return await run(action, input, slot);
    } catch (error) {
      if (isClaimRefused(error)) return undefined;
      throw error;
    }
  }

  /**
   * An answer no write kept, of a request whose key no write claimed: the key is claimed now, to
   * keep the answer for replays as claimFirst would, unless it was taken meanwhile (the app then
   * answers). Overload and store failures are not kept, and need no claim.
   */
  async function claimToKeep(scope: string, key: string, requestHash: string, answered: Answered): Promise<Answered | undefined> {
    if (!worthReplaying(answered.status)) return answered;
    const begun = await store.begin(scope, key, requestHash, clock.nowMs(), idempotencyLeaseMs);
    if (begun.kind !== 'started') return undefined;
    await settle(scope, key, answered);
    return answered;
  }

  /**
   * The checkout's way: the order's write claims the key (checkout.ts). A claim refused, or a
   * cart checked out already, changed nothing and the app answers. Once the order's write took
   * the claim the key is this request's, so an answer nothing kept (a failed capture) is
   * settled under it; before that (a declined card, an invalid cart) it is claimed then.
   */
  async function claimInCommit<B, T>(action: Action<B, T>, input: ActionInput<B>, scope: string, key: string, requestHash: string): Promise<Answered | undefined> {
    let claimed = false;
    const claim = { scope, key, requestHash, nowMs: clock.nowMs(), leaseMs: idempotencyLeaseMs };
    const outcome = await runClaiming(action, { ...input, commitClaim: { claim, onClaimed: () => (claimed = true) } }, { scope, key });
    if (outcome === undefined) return undefined;
    const { answered, kept } = outcome;
    if (kept) return answered;
    if (!claimed) return claimToKeep(scope, key, requestHash, answered);
    await settle(scope, key, answered);
    return answered;
  }

  /** The idempotency middleware's way: claim the key, run, keep the answer. Undefined: the app answers. */
  async function claimFirst<B, T>(action: Action<B, T>, input: ActionInput<B>, scope: string, key: string, requestHash: string): Promise<Answered | undefined> {
    const begun = await store.begin(scope, key, requestHash, clock.nowMs(), idempotencyLeaseMs);
    // A replay, a reused key or one still running: the app's idempotency layer says so.
    if (begun.kind !== 'started') return undefined;
    const { answered, kept } = await run(action, input, { scope, key });
    if (!kept) await settle(scope, key, answered);
    return answered;
  }

  /**
   * The key claimed by the write that keeps the answer: no begin() before it. A write that finds
   * the key taken changed nothing, and the app answers as it would have (a replay, a reused or
   * running key). An answer no write kept made no claim either.
   */
  async function claimInWrite<B, T>(action: Action<B, T>, input: ActionInput<B>, scope: string, key: string, requestHash: string): Promise<Answered | undefined> {
    const outcome = await runClaiming(action, input, { scope, key, claim: { requestHash, nowMs: clock.nowMs(), leaseMs: idempotencyLeaseMs } });
    if (outcome === undefined) return undefined;
    return outcome.kept ? outcome.answered : claimToKeep(scope, key, requestHash, outcome.answered);
  }

  function plainRoute<B, T>(route: Route<B, T>): PlainRoute {
    const keyed = !claimsInWrites ? claimFirst : route.claimIn === 'write' ? claimInWrite : claimInCommit;
    return {
      name: route.name,
      gate: route.gate,
      async answer(request, cartId, key, text) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return undefined;
        }
        const valid = route.schema.safeParse(parsed);
        if (!valid.success) return undefined;
        const requestId = requestIdFrom(request.header('x-request-id'));
        let answered: Answered;
        // The idempotency middleware's part; a store failure in it is answered as the app's
        // error handler answers one (503 store-unavailable, not a 500).
        try {
          const input = { cartId, body: valid.data, idempotencyKey: key, requestId };
          if (key === undefined) {
            answered = (await run(route.action, input, undefined)).answered;
          } else {
            // The fast path takes only paths without a query, so the URL is the path the app scopes by.
            const scope = idempotencyScope('POST', request.url);
            const requestHash = await hashText(text);
            const result = await keyed(route.action, input, scope, key, requestHash);
            if (result === undefined) return undefined;
            answered = result;
          }
        } catch (error) {
          answered = failureAnswer(error, { metrics, logger, requestId });
        }
        const { status, headers, body } = answered;
        headers['cache-control'] = 'no-store';
        addStoreHeaders(request, headers, requestId);
        return { route: route.name, status, headers, body };
      },
    };
  }

  const create = plainRoute({ name: cartsPath, schema: CreateCartBody, action: createCart, gate: gates.cart, claimIn: 'write' });
  const lines = plainRoute({ name: '/store/carts/:id/lines', schema: AddLineBody, action: addLine, gate: gates.cart, claimIn: 'write' });
  const placeOrder = plainRoute({ name: '/store/carts/:id/checkout', schema: CheckoutBody, action: checkout, gate: gates.checkout, claimIn: 'commit' });

  /** The route and cart id of a path, when it is one of the three in its plain form. */
  function routeOf(path: string): { route: PlainRoute; cartId: string } | undefined {
    if (path === cartsPath) return { route: create, cartId: '' };
    if (!path.startsWith(cartPrefix)) return undefined;
    const slash = path.indexOf('/', cartPrefix.length);
    if (slash === -1) return undefined;
    const cartId = path.slice(cartPrefix.length, slash);
    if (!plainId.test(cartId)) return undefined;
    const rest = path.slice(slash);
    if (rest === '/lines') return { route: lines, cartId };
    if (rest === '/checkout') return { route: placeOrder, cartId };
    return undefined;
  }

  return (request) => {
    if (request.method !== 'POST') return undefined;
    const found = routeOf(request.url);
    if (found === undefined) return undefined;
    const type = request.header('content-type');
    const length = request.header('content-length');
    if (type === undefined || !plainJson.has(type) || length === undefined || !plainLength.test(length) || Number(length) > options.bodyBytesMax) return undefined;
    if (request.header('transfer-encoding') !== undefined) return undefined;
    const key = request.header('idempotency-key');
    if (key !== undefined && !saneKey.test(key)) return undefined;
    const { route, cartId } = found;
    if (!enter(route.gate)) return undefined;

    let held = true;
    const release = () => {
      if (held) leave(route.gate);
      held = false;
    };
    return {
      drop: release,
      async answer(text) {
        try {
          return await route.answer(request, cartId, key, text);
        } finally {
          release();
        }
      },
    };
  };
}
