// What one visitor does: a no-op request, a browse request from a realistic mix, or a shopper's
// full flow (create cart, add one unit, check out with an Idempotency-Key). Each returns a
// session the load model starts; latency runs from `startMs`, the moment the request was meant
// to start, which in the open model is the scheduled arrival (coordinated-omission correction).

import type { Pool } from 'undici';
import { send, type Answer, type Call } from './http.ts';
import type { BrowseFlow, Flow, ShopperFlow } from './protocol.ts';
import type { Recorder } from './recorder.ts';

export type Session = (startMs: number) => Promise<void>;

interface Context {
  pool: Pool;
  recorder: Recorder;
  workerIndex: number;
  isStopping(): boolean;
}

async function measured(context: Context, kind: string, call: Call, startMs: number): Promise<Answer> {
  const answer = await send(context.pool, call);
  context.recorder.record(kind, answer.statusKey, (performance.now() - startMs) * 1000, answer.problemType);
  return answer;
}

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('cannot pick from an empty list');
  return item;
}

/** Shares of a shopper's browsing, from product-page-heavy storefront traffic. */
const browseMix = [
  { kind: 'product', share: 0.45 },
  { kind: 'list', share: 0.3 },
  { kind: 'availability', share: 0.2 },
  { kind: 'categories', share: 0.05 },
] as const;

/** What every browser sends with a GET; the bodies it takes gzipped are drained, never inflated. */
const browserGet: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br, zstd' };

function browsePath(flow: BrowseFlow): { kind: string; path: string } {
  let roll = Math.random();
  let kind: string = 'product';
  for (const entry of browseMix) {
    if (roll < entry.share) {
      kind = entry.kind;
      break;
    }
    roll -= entry.share;
  }
  switch (kind) {
    case 'list':
      return Math.random() < 0.5 || flow.categories.length === 0
        ? { kind, path: '/store/products?limit=24' }
        : { kind, path: `/store/products?category=${encodeURIComponent(pick(flow.categories))}&limit=24` };
    case 'availability':
      return { kind, path: `/store/availability?sku=${encodeURIComponent(pick(flow.items).sku)}` };
    case 'categories':
      return { kind, path: '/store/categories' };
    default:
      return { kind, path: `/store/products/${encodeURIComponent(pick(flow.items).slug)}` };
  }
}

function browseSessions(context: Context, flow: BrowseFlow): () => Session {
  // What a returning visitor's browser cache holds: the last ETag seen per URL.
  const etags = new Map<string, string>();
  return () => async (startMs) => {
    const { kind, path } = browsePath(flow);
    const etag = etags.get(path);
    const revalidate = etag !== undefined && Math.random() < flow.revalidateShare;
    const answer = await measured(context, revalidate ? `${kind}-304` : kind, { method: 'GET', path, headers: revalidate ? { ...browserGet, 'if-none-match': etag } : browserGet }, startMs);
    if (answer.etag !== undefined) etags.set(path, answer.etag);
  };
}

const shopperAddress = { name: 'Bench Shopper', line1: '1 Load Street', city: 'Springfield', postalCode: '12345', country: 'US' };

function retryable(answer: Answer): boolean {
  return answer.status === 0 || answer.status >= 500 || answer.status === 429 || answer.problemType === 'idempotency-in-progress';
}

const retryDelayMsMin = 50;
const retryDelayMsMax = 1_000;

function shopperSessions(context: Context, flow: ShopperFlow): { next(): Session | undefined; started(): number } {
  let started = 0;
  const json = { 'content-type': 'application/json' };

  /** One step of the flow; a shopper cut off retries the same request with the same key. */
  async function step(kind: string, call: Call, firstStartMs: number): Promise<Answer> {
    const deadlineMs = performance.now() + flow.retryForMs;
    let startMs = firstStartMs;
    let delayMs = retryDelayMsMin;
    for (;;) {
      const answer = await measured(context, kind, call, startMs);
      if (!retryable(answer) || performance.now() >= deadlineMs || context.isStopping()) return answer;
      const hintMs = answer.retryAfterS !== undefined && Number.isFinite(answer.retryAfterS) ? answer.retryAfterS * 1000 : delayMs;
      await new Promise((resolve) => setTimeout(resolve, Math.min(hintMs, delayMs)));
      delayMs = Math.min(delayMs * 2, retryDelayMsMax);
      startMs = performance.now();
    }
  }

  const session = (index: number): Session => async (startMs) => {
    const key = `${flow.keyPrefix}-w${context.workerIndex}-${index}`;
    const email = `${key}@example.com`.toLowerCase();
    const cart = await step('cart', { method: 'POST', path: '/store/carts', headers: { ...json, 'idempotency-key': `${key}-cart` }, body: JSON.stringify({ currency: 'USD', email }), wantBody: true }, startMs);
    const cartId = (cart.body as { id?: unknown } | undefined)?.id;
    if (cart.status !== 201 || typeof cartId !== 'string') return;
    const linePath = `/store/carts/${cartId}/lines`;
    const added = await step('add', { method: 'POST', path: linePath, headers: { ...json, 'idempotency-key': `${key}-line` }, body: JSON.stringify({ sku: flow.sku, quantity: 1 }) }, performance.now());
    if (added.status !== 201) return;
    const body = JSON.stringify({ email, shippingAddress: shopperAddress, shippingOption: 'standard', payment: { token: flow.paymentToken } });
    const placed = await step('checkout', { method: 'POST', path: `/store/carts/${cartId}/checkout`, headers: { ...json, 'idempotency-key': key }, body, wantBody: true }, performance.now());
    const orderId = (placed.body as { id?: unknown } | undefined)?.id;
    if (placed.status === 201 && typeof orderId === 'string') context.recorder.acknowledge({ orderId, key, email, atMs: Date.now() });
  };

  return {
    next: () => (started < flow.shoppersMax ? session(started++) : undefined),
    started: () => started,
  };
}

/** Sessions for a flow: `next()` gives the next visitor, or undefined when there are no more. */
export function sessionsOf(context: Context, flow: Flow): { next(): Session | undefined; shoppersStarted(): number } {
  switch (flow.kind) {
    case 'noop': {
      const call: Call = { method: 'GET', path: flow.path, headers: browserGet };
      const session: Session = async (startMs) => {
        await measured(context, 'noop', call, startMs);
      };
      return { next: () => session, shoppersStarted: () => 0 };
    }
    case 'browse': {
      const browse = browseSessions(context, flow);
      return { next: browse, shoppersStarted: () => 0 };
    }
    case 'shopper': {
      const shoppers = shopperSessions(context, flow);
      return { next: shoppers.next, shoppersStarted: shoppers.started };
    }
    case 'mixed': {
      const browse = browseSessions(context, flow.browse);
      const shoppers = shopperSessions(context, flow.shopper);
      return {
        next: () => (Math.random() < flow.shopperShare ? shoppers.next() : undefined) ?? browse(),
        shoppersStarted: shoppers.started,
      };
    }
  }
}
