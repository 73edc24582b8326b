// The shopper's cart: its id lives in localStorage, so it survives a reload and is shared by
// every tab. An expired cart is not emptied silently: its last known lines are kept as a
// notice that the cart and drawer explain.
import { api, ApiError } from './api.ts';

export interface CartLine {
  id: string;
  sku: string;
  productSlug: string | null;
  title: string;
  variantTitle: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
  heldUntil: string | null;
  purchasable: boolean;
}

export interface Cart {
  id: string;
  currency: string;
  status: 'open' | 'completed';
  lines: CartLine[];
  totals: { subtotalMinor: number; shippingMinor: number; taxMinor: number; totalMinor: number; taxIncluded: boolean; currency: string };
  expiresAt: string;
}

export interface ExpiredNotice {
  expiredAt: string;
  titles: string[];
}

const idKey = 'peakcart.cart';
const lastKey = 'peakcart.cart.last';
const expiredKey = 'peakcart.cart.expired';
export const cartEvent = 'peakcart:cart';

export const cartId = () => localStorage.getItem(idKey);

function remember(cart: Cart | null): Cart | null {
  if (cart === null || cart.status === 'completed') {
    localStorage.removeItem(idKey);
    localStorage.removeItem(lastKey);
    cart = null;
  } else {
    localStorage.setItem(idKey, cart.id);
    localStorage.setItem(lastKey, JSON.stringify({ titles: cart.lines.map((line) => `${line.title} (${line.variantTitle}) × ${line.quantity}`) }));
  }
  window.dispatchEvent(new CustomEvent(cartEvent, { detail: cart }));
  return cart;
}

function forgetExpired(): void {
  // Two islands may learn of the expiry at once; the first one's notice (with the items) stays.
  if (localStorage.getItem(lastKey) === null && expiredNotice() !== null) {
    localStorage.removeItem(idKey);
    return;
  }
  const last = JSON.parse(localStorage.getItem(lastKey) ?? '{"titles":[]}') as { titles: string[] };
  const notice: ExpiredNotice = { expiredAt: new Date().toISOString(), titles: last.titles };
  localStorage.setItem(expiredKey, JSON.stringify(notice));
  localStorage.removeItem(idKey);
  localStorage.removeItem(lastKey);
}

export function expiredNotice(): ExpiredNotice | null {
  const raw = localStorage.getItem(expiredKey);
  return raw === null ? null : (JSON.parse(raw) as ExpiredNotice);
}

export const dismissExpired = () => localStorage.removeItem(expiredKey);

/** The current cart, or null when there is none (or it expired: see expiredNotice()). */
export async function loadCart(): Promise<Cart | null> {
  const id = cartId();
  if (id === null) return remember(null);
  try {
    return remember(await api<Cart>(`/store/carts/${encodeURIComponent(id)}`));
  } catch (error) {
    if (error instanceof ApiError && error.code === 'cart-expired') {
      forgetExpired();
      return remember(null);
    }
    if (error instanceof ApiError && error.problem.status === 404) return remember(null);
    throw error;
  }
}

async function withCart(change: (id: string) => Promise<Cart>, intoFreshCart: boolean): Promise<Cart | null> {
  let id = cartId();
  if (id === null) {
    if (!intoFreshCart) return remember(null);
    id = (await api<Cart>('/store/carts', { method: 'POST', body: '{}' })).id;
  }
  try {
    return remember(await change(id));
  } catch (error) {
    if (!(error instanceof ApiError && (error.code === 'cart-expired' || error.code === 'cart-completed' || error.problem.status === 404))) throw error;
    // The cart ended under us: the shopper is told, and a new item goes into a fresh cart.
    if (error.code === 'cart-expired') forgetExpired();
    if (!intoFreshCart) return remember(null);
    const fresh = await api<Cart>('/store/carts', { method: 'POST', body: '{}' });
    return remember(await change(fresh.id));
  }
}

export const addLine = (sku: string, quantity: number) =>
  withCart((id) => api<Cart>(`/store/carts/${encodeURIComponent(id)}/lines`, { method: 'POST', body: JSON.stringify({ sku, quantity }) }), true);

export const setQuantity = (lineId: string, quantity: number) =>
  withCart((id) => api<Cart>(`/store/carts/${encodeURIComponent(id)}/lines/${encodeURIComponent(lineId)}`, { method: 'PATCH', body: JSON.stringify({ quantity }) }), false);

export const removeLine = (lineId: string) =>
  withCart((id) => api<Cart>(`/store/carts/${encodeURIComponent(id)}/lines/${encodeURIComponent(lineId)}`, { method: 'DELETE' }), false);

/** After an order: the cart is done, the next item starts a new one. */
export const forgetCart = () => remember(null);

export const itemCount = (cart: Cart | null) => (cart === null ? 0 : cart.lines.reduce((sum, line) => sum + line.quantity, 0));

/** "9:41" until the hold ends, or null when it has ended. */
export function holdLeft(heldUntil: string, nowMs = Date.now()): string | null {
  const leftS = Math.floor((Date.parse(heldUntil) - nowMs) / 1000);
  if (leftS <= 0) return null;
  return `${Math.floor(leftS / 60)}:${String(leftS % 60).padStart(2, '0')}`;
}

/** Calls `render` now and whenever the cart changes here or in another tab. */
export function watchCart(render: (cart: Cart | null) => void): void {
  window.addEventListener(cartEvent, (event) => render((event as CustomEvent<Cart | null>).detail));
  window.addEventListener('storage', (event) => {
    if (event.key === idKey || event.key === expiredKey) void loadCart().catch(() => undefined);
  });
}
