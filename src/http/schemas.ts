// Zod schemas of the public contract: what requests may carry (strict: unknown fields are
// rejected, integers are integers, every string has a length limit) and what responses hold.

import { z } from '@hono/zod-openapi';
import { amountMinorMax } from '../core/money.ts';
import { eventTypes } from '../core/events.ts';
import { orderStatuses } from '../core/order.ts';

/** Generous bounds for validation; the cart policy's tighter limits answer 409 over-limit. */
export const quantityMax = 1_000_000;
export const stockUnitsMax = 1_000_000_000;

const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD');
const sku = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore');
const slug = z.string().min(1).max(120).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase words joined by dashes');
const email = z.email().max(254);
// Control characters (NUL above all) have no place in names and addresses, and some stores
// cut text at a NUL: refuse them at the door.
const noControl = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
const text = (max: number) => z.string().max(max).regex(noControl, 'no control characters');
const requiredText = (max: number) => z.string().trim().min(1).max(max).regex(noControl, 'no control characters');
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** An ISO 3166-1 alpha-2 code that names a country; ICU knows the list on every runtime. */
function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  let known = countryCodes.get(code);
  if (known === undefined) {
    const name = regionNames.of(code);
    known = name !== undefined && name !== code && name !== 'Unknown Region' && !['EU', 'EZ', 'UN', 'QO', 'XA', 'XB'].includes(code);
    // At most 26 * 26 entries: the regex above lets nothing else through.
    countryCodes.set(code, known);
  }
  return known;
}
/** ICU's answer per two-letter code, asked once: every checkout validates a country. */
const countryCodes = new Map<string, boolean>();
const moneyMinor = z.int().min(0).max(amountMinorMax);
const isoTime = z.string().openapi({ format: 'date-time' });
const shortRecord = (max: number) =>
  z.record(z.string().min(1).max(64), z.string().max(500)).refine((value) => Object.keys(value).length <= max, `at most ${max} entries`);

// ---- requests -------------------------------------------------------------------------------

export const CreateCartBody = z.strictObject({ currency: currency.optional(), email: email.optional() }).openapi('CreateCart');

export const AddLineBody = z.strictObject({ sku, quantity: z.int().min(1).max(quantityMax) }).openapi('AddLine');

export const PatchLineBody = z.strictObject({ quantity: z.int().min(0).max(quantityMax) }).openapi('ChangeLine');

export const Address = z
  .strictObject({
    name: requiredText(200),
    line1: requiredText(200),
    line2: text(200).nullable().optional(),
    city: requiredText(100),
    postalCode: requiredText(20),
    region: text(100).nullable().optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as US').refine(isCountryCode, 'not a country code'),
    phone: text(40).nullable().optional(),
  })
  .openapi('Address');

export const CheckoutBody = z
  .strictObject({
    email,
    shippingAddress: Address,
    shippingOption: requiredText(32),
    payment: z.strictObject({ token: requiredText(64) }),
  })
  .openapi('Checkout');

export const VariantInput = z.strictObject({
  sku,
  title: text(200).default(''),
  options: shortRecord(10).default({}),
  prices: z.record(currency, moneyMinor).refine((value) => Object.keys(value).length >= 1, 'at least one price'),
  limited: z.boolean().default(false),
  holdAt: z.enum(['cart', 'checkout', 'order']).default('order'),
  holdTtlMs: z.int().min(1_000).max(86_400_000).default(900_000),
  purchaseLimitPerCustomer: z.int().min(1).max(quantityMax).nullable().default(null),
  allowBackorder: z.boolean().default(false),
});

const ImageInput = z.strictObject({
  url: z.string().min(1).max(2048).regex(/^(https:\/\/|\/)/, 'an https URL or a path on this site'),
  alt: text(200).default(''),
});

const productFields = {
  slug,
  title: requiredText(200),
  description: text(10_000).default(''),
  images: z.array(ImageInput).max(10).default([]),
  categorySlug: slug,
  attributes: shortRecord(30).default({}),
  published: z.boolean().default(true),
  variants: z.array(VariantInput).min(1).max(50),
};

export const CreateProductBody = z.strictObject(productFields).openapi('CreateProduct');

export const PatchProductBody = z
  .strictObject({
    slug: productFields.slug.optional(),
    title: productFields.title.optional(),
    description: text(10_000).optional(),
    images: z.array(ImageInput).max(10).optional(),
    categorySlug: slug.optional(),
    attributes: shortRecord(30).optional(),
    published: z.boolean().optional(),
    variants: z.array(VariantInput).min(1).max(50).optional(),
  })
  .openapi('ChangeProduct');

export const MovementBody = z
  .strictObject({
    type: z.enum(['receive', 'adjust']),
    quantity: z.int().min(-stockUnitsMax).max(stockUnitsMax),
    reason: requiredText(200),
  })
  .openapi('StockMovementRequest');

export const PutStockBody = z
  .strictObject({ onHand: z.int().min(0).max(stockUnitsMax), reason: text(200).optional() })
  .openapi('StockSync');

export const PutCategoryBody = z
  .strictObject({ name: requiredText(100), description: text(1000).default(''), position: z.int().min(0).max(10_000).default(0) })
  .openapi('PutCategory');

export const CancelOrderBody = z.strictObject({ reason: text(200).optional() }).openapi('CancelOrder');

export const CreateWebhookBody = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    events: z.array(z.enum(eventTypes as [string, ...string[]])).max(eventTypes.length).default([]),
  })
  .openapi('CreateWebhook');

export const ListProductsQuery = z.object({
  category: slug.optional(),
  q: text(200).optional(),
  cursor: text(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(24),
});

/** The list query as the catalog service takes it. */
export function productQueryOf(query: z.infer<typeof ListProductsQuery>) {
  return { categorySlug: query.category, text: query.q, cursor: query.cursor, limit: query.limit };
}

export const AvailabilityQuery = z.object({
  sku: z.union([sku, z.array(sku).min(1).max(100)]),
});

export const ListOrdersQuery = z.object({
  status: z.enum(orderStatuses as [string, ...string[]]).optional(),
  cursor: text(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const EventsQuery = z.object({
  after: z.string().regex(/^\d{1,15}$/).default('0'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const IdParam = z.object({ id: z.string().min(1).max(64) });
export const SlugParam = z.object({ slug });
export const SkuParam = z.object({ sku });
export const LineParams = z.object({ id: z.string().min(1).max(64), lineId: z.string().min(1).max(64) });

// ---- responses ------------------------------------------------------------------------------

export const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.int(), detail: z.string() })
  .catchall(z.unknown())
  .openapi('Problem');

export const Totals = z
  .object({ currency, subtotalMinor: z.int(), shippingMinor: z.int(), taxMinor: z.int(), totalMinor: z.int(), taxIncluded: z.boolean() })
  .openapi('Totals');

export const CartLine = z
  .object({
    id: z.string(),
    sku: z.string(),
    productId: z.string().nullable(),
    productSlug: z.string().nullable(),
    title: z.string(),
    variantTitle: z.string(),
    quantity: z.int(),
    unitPriceMinor: z.int(),
    lineTotalMinor: z.int(),
    heldUntil: isoTime.nullable(),
    purchasable: z.boolean(),
  })
  .openapi('CartLine');

export const Cart = z
  .object({
    id: z.string(),
    currency,
    email: z.string().nullable(),
    status: z.enum(['open', 'completed']),
    orderId: z.string().nullable(),
    lines: z.array(CartLine),
    totals: Totals,
    expiresAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi('Cart');

export const Variant = z
  .object({
    sku: z.string(),
    title: z.string(),
    options: z.record(z.string(), z.string()),
    prices: z.record(z.string(), z.int()),
    limited: z.boolean(),
    holdAt: z.enum(['cart', 'checkout', 'order']),
    holdTtlMs: z.int(),
    purchaseLimitPerCustomer: z.int().nullable(),
    allowBackorder: z.boolean(),
  })
  .openapi('Variant');

export const Product = z
  .object({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    images: z.array(z.object({ url: z.string(), alt: z.string() })),
    category: z.string(),
    attributes: z.record(z.string(), z.string()),
    published: z.boolean(),
    variants: z.array(Variant),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi('Product');

export const ProductPage = z.object({ items: z.array(Product), nextCursor: z.string().nullable() }).openapi('ProductPage');

export const Category = z
  .object({ slug: z.string(), name: z.string(), description: z.string(), position: z.int() })
  .openapi('Category');

export const Availability = z
  .object({
    items: z.array(z.object({ sku: z.string(), available: z.int(), status: z.enum(['in_stock', 'low_stock', 'sold_out', 'backorder']) })),
    unknown: z.array(z.string()),
  })
  .openapi('Availability');

export const OrderLine = z
  .object({ sku: z.string(), productId: z.string(), title: z.string(), quantity: z.int(), unitPriceMinor: z.int(), lineTotalMinor: z.int() })
  .openapi('OrderLine');

export const Order = z
  .object({
    id: z.string(),
    number: z.int(),
    status: z.enum(orderStatuses as [string, ...string[]]),
    email: z.string(),
    currency,
    lines: z.array(OrderLine),
    totals: Totals,
    shippingAddress: z.record(z.string(), z.unknown()),
    shippingOption: z.string(),
    payment: z.object({ provider: z.string(), captured: z.boolean(), refunded: z.boolean() }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi('Order');

export const PlacedOrder = Order.extend({ token: z.string() }).openapi('PlacedOrder');

export const OrderPage = z.object({ items: z.array(Order), nextCursor: z.string().nullable() }).openapi('OrderPage');

export const StockLevel = z
  .object({ sku: z.string(), onHand: z.int(), sold: z.int(), held: z.int(), available: z.int() })
  .openapi('StockLevel');

export const StockDetail = StockLevel.extend({
  movements: z.array(
    z.object({ type: z.string(), quantity: z.int(), reason: z.string(), reference: z.string().nullable(), at: isoTime }),
  ),
}).openapi('StockDetail');

export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    createdAt: isoTime,
    deliveredThrough: z.int(),
    lastError: z.string().nullable(),
    secret: z.string().optional(),
  })
  .openapi('Webhook');

export const EventPage = z
  .object({
    items: z.array(z.object({ id: z.string(), sequence: z.int(), type: z.string(), occurredAt: isoTime, data: z.record(z.string(), z.unknown()) })),
    nextCursor: z.string().nullable(),
  })
  .openapi('EventPage');
