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
// problem documents.

import type { Clock, IdempotencyStore, KeepAnswer } from '../core/ports.ts';
import type { Shop } from '../core/shop.ts';
import { sha256Hex } from '../platform/web-crypto.ts';
import { addLine, checkout, createCart, type ActionDeps, type ActionInput } from './cart-actions.ts';
import { storeAnswerHeaders, type FastAnswer, type FastRequest } from './fast-answer.ts';
import { failureAnswer } from './failure.ts';
import { enter, leave, type AdmissionGates, type Gate } from './middleware/admission.ts';
import { idempotencyLeaseMs, idempotencyScope, keeper, saneKey, worthReplaying } from './middleware/idempotency.ts';
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
  const hashText = options.hashText ?? sha256Hex;
  const addStoreHeaders = storeAnswerHeaders(options.corsOrigins);

  /** An answer before the store headers: the action's, or the problem an error became. */
  type Answered = { status: number; headers: Record<string, string>; body: string };

  /** The route's part: the action's answer, or the problem its error becomes. */
  async function run<B, T>(action: Action<B, T>, input: ActionInput<B>, slot: { scope: string; key: string } | undefined): Promise<Answered & { kept: boolean }> {
    try {
      const { keep, keptBody } = keeper(slot, action.status, action.render);
      const result = await action.run(deps, input, keep);
      const kept = keptBody(result);
      return { status: action.status, headers: { 'content-type': jsonType }, body: kept ?? JSON.stringify(action.render(result)), kept: kept !== undefined };
    } catch (error) {
      return { ...failureAnswer(error, { metrics, logger, requestId: input.requestId }), kept: false };
    }
  }

  function plainRoute<B, T>(route: Route<B, T>): PlainRoute {
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
          let slot: { scope: string; key: string } | undefined;
          if (key !== undefined) {
            // The fast path takes only paths without a query, so the URL is the path the app scopes by.
            const scope = idempotencyScope('POST', request.url);
            const begun = await store.begin(scope, key, await hashText(text), clock.nowMs(), idempotencyLeaseMs);
            // A replay, a reused key or one still running: the app's idempotency layer says so.
            if (begun.kind !== 'started') return undefined;
            slot = { scope, key };
          }
          const { kept, ...result } = await run(route.action, { cartId, body: valid.data, idempotencyKey: key, requestId }, slot);
          answered = result;
          if (slot !== undefined && !kept) {
            if (worthReplaying(result.status)) {
              await store.complete(slot.scope, slot.key, { status: result.status, body: result.body, contentType: result.headers['content-type'] ?? jsonType }, clock.nowMs());
            } else await store.abandon(slot.scope, slot.key);
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

  const create = plainRoute({ name: cartsPath, schema: CreateCartBody, action: createCart, gate: gates.cart });
  const lines = plainRoute({ name: '/store/carts/:id/lines', schema: AddLineBody, action: addLine, gate: gates.cart });
  const placeOrder = plainRoute({ name: '/store/carts/:id/checkout', schema: CheckoutBody, action: checkout, gate: gates.checkout });

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
