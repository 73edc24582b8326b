// A small JSON client for tests: every call returns status, headers and the parsed body.

import { adminKey } from './server.ts';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  // Tests look into bodies freely; the assertions check their shape.
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  admin?: boolean;
  idempotencyKey?: string;
}

/** `send` is how a request leaves: the network by default, or straight into an app's fetch(). */
export function client(baseUrl: string, send: (url: string, init: RequestInit) => Response | Promise<Response> = fetch) {
  async function call<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.admin) headers['authorization'] ??= `Bearer ${adminKey}`;
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const response = await send(baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // Not JSON (e.g. /metrics): the text itself is the body.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
  return {
    call,
    get: <T = any>(path: string, options?: RequestOptions) => call<T>('GET', path, options),
    post: <T = any>(path: string, body?: unknown, options?: RequestOptions) => call<T>('POST', path, { ...options, body }),
    patch: <T = any>(path: string, body?: unknown, options?: RequestOptions) => call<T>('PATCH', path, { ...options, body }),
    put: <T = any>(path: string, body?: unknown, options?: RequestOptions) => call<T>('PUT', path, { ...options, body }),
    delete: <T = any>(path: string, options?: RequestOptions) => call<T>('DELETE', path, options),
  };
}

export type Client = ReturnType<typeof client>;

export const shopperAddress = {
  name: 'Ada Shopper',
  line1: '1 Market Street',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};

export function checkoutBody(email: string, token = 'tok_visa') {
  return { email, shippingAddress: shopperAddress, shippingOption: 'standard', payment: { token } };
}

let productCounter = 0;

/** Creates a category (once) and a product with one SKU and `onHand` units, via the Admin API. */
export async function createProduct(
  api: Client,
  options: { onHand: number; limited?: boolean; holdAt?: 'cart' | 'checkout' | 'order'; holdTtlMs?: number; purchaseLimitPerCustomer?: number | null; priceMinor?: number; allowBackorder?: boolean },
): Promise<{ sku: string; productId: string; slug: string }> {
  await api.put('/admin/categories/test-gear', { name: 'Test gear', description: 'Made by tests', position: 99 }, { admin: true });
  productCounter++;
  const suffix = `${Date.now().toString(36)}-${productCounter}`;
  const sku = `TEST-${suffix}`.toUpperCase();
  const slug = `test-product-${suffix}`;
  const created = await api.post(
    '/admin/products',
    {
      slug,
      title: `Test product ${suffix}`,
      categorySlug: 'test-gear',
      variants: [
        {
          sku,
          title: 'One size',
          prices: { USD: options.priceMinor ?? 1000, EUR: options.priceMinor ?? 1000 },
          limited: options.limited ?? false,
          holdAt: options.holdAt ?? 'order',
          holdTtlMs: options.holdTtlMs ?? 900_000,
          purchaseLimitPerCustomer: options.purchaseLimitPerCustomer ?? null,
          allowBackorder: options.allowBackorder ?? false,
        },
      ],
    },
    { admin: true },
  );
  if (created.status !== 201) throw new Error(`could not create product: ${created.status} ${JSON.stringify(created.body)}`);
  if (options.onHand > 0) {
    const received = await api.post(`/admin/stock/${sku}/movements`, { type: 'receive', quantity: options.onHand, reason: 'test stock' }, { admin: true });
    if (received.status !== 201) throw new Error(`could not receive stock: ${received.status} ${JSON.stringify(received.body)}`);
  }
  return { sku, productId: created.body.id, slug };
}
