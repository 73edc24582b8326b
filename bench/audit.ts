// The invariant auditor: after a run (or on demand against any instance) it checks the shop's
// promises through the Admin API only. Every acknowledged order is stored; no SKU sold more
// than it had; after the hold TTL no hold is left; no Idempotency-Key made two orders.

import type { AckedOrder } from './generator/protocol.ts';

export interface StockGiven {
  sku: string;
  /** Units the bench received into stock; null for a SKU it did not set up (on-demand audit). */
  stockGiven: number | null;
}

export interface AuditScope {
  skus: StockGiven[];
  /** Every shopper's email starts with one of these, one email per Idempotency-Key. */
  keyPrefixes: string[];
  acks: AckedOrder[];
}

export interface SkuAudit {
  sku: string;
  stockGiven: number | null;
  onHand: number;
  sold: number;
  held: number;
  unitsInOrders: number;
  oversold: number;
}

export interface Audit {
  acknowledged: number;
  stored: number;
  missing: number;
  oversold: number;
  leakedHolds: number;
  duplicateOrders: number;
  /** Stored although the shopper saw an error or a timeout: allowed, counted, shown. */
  storedWithoutAck: number;
  /** Units the ledger says were sold that no order holds, or the other way round. */
  soldMismatch: number;
  /** Units held at the time of the audit (only a leak when the holds should have expired). */
  heldNow: number;
  holdsChecked: boolean;
  passed: boolean;
  at: string;
  skus: SkuAudit[];
  findings: string[];
}

export interface AdminTarget {
  url: string;
  adminKey: string;
}

interface OrderSummary {
  id: string;
  email: string;
  status: string;
  lines: { sku: string; quantity: number }[];
}

const pageLimit = 100;
/** A bound on pages read, so a runaway cursor can never loop the auditor forever. */
const pagesMax = 100_000;
const liveStatuses = new Set(['placed', 'paid', 'fulfilled']);

async function adminGet<T>(target: AdminTarget, path: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(target.url + path, { headers: { authorization: `Bearer ${target.adminKey}` }, signal: AbortSignal.timeout(30_000) }).catch((error: unknown) => error as Error);
    if (!(response instanceof Error) && response.ok) return (await response.json()) as T;
    const why = response instanceof Error ? response.message : `${response.status} ${await response.text()}`;
    // The admin budget may be busy for a moment after a run; anything else is a real failure.
    const transient = response instanceof Error || response.status === 503 || response.status === 429;
    if (!transient || attempt >= 20) throw new Error(`audit: GET ${path} failed: ${why}`);
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
  }
}

export async function listOrders(target: AdminTarget): Promise<OrderSummary[]> {
  const byId = new Map<string, OrderSummary>();
  let cursor: string | null = null;
  for (let page = 0; page < pagesMax; page++) {
    const query: string = cursor === null ? `?limit=${pageLimit}` : `?limit=${pageLimit}&cursor=${encodeURIComponent(cursor)}`;
    const body: { items: OrderSummary[]; nextCursor: string | null } = await adminGet<{ items: OrderSummary[]; nextCursor: string | null }>(target, `/admin/orders${query}`);
    for (const order of body.items) byId.set(order.id, order);
    cursor = body.nextCursor;
    if (cursor === null) break;
  }
  return [...byId.values()];
}

async function allSkus(target: AdminTarget): Promise<StockGiven[]> {
  const skus: StockGiven[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < pagesMax; page++) {
    const query: string = cursor === null ? `?limit=${pageLimit}` : `?limit=${pageLimit}&cursor=${encodeURIComponent(cursor)}`;
    const body: { items: { variants: { sku: string }[] }[]; nextCursor: string | null } = await adminGet<{ items: { variants: { sku: string }[] }[]; nextCursor: string | null }>(target, `/admin/products${query}`);
    for (const product of body.items) for (const variant of product.variants) skus.push({ sku: variant.sku, stockGiven: null });
    cursor = body.nextCursor;
    if (cursor === null) break;
  }
  return skus;
}

/** An audit of every SKU of the shop, with no run's orders to look for: the ledger's checks only. */
export async function auditShop(target: AdminTarget, options: { holdsExpired: boolean }): Promise<Audit> {
  return audit(target, { skus: await allSkus(target), keyPrefixes: [], acks: [] }, { holdsExpired: options.holdsExpired, final: true });
}

/**
 * `holdsExpired`: every hold made by the run has passed its TTL, so any unit still held leaked.
 * `final`: the load has stopped, so the ledger's `sold` must equal the units in orders.
 */
export async function audit(target: AdminTarget, scope: AuditScope, options: { holdsExpired: boolean; final: boolean }): Promise<Audit> {
  const findings: string[] = [];
  const skuSet = new Set(scope.skus.map((entry) => entry.sku));
  const orders = (await listOrders(target)).filter((order) => order.lines.some((line) => skuSet.has(line.sku)));
  const storedIds = new Set(orders.map((order) => order.id));

  const ackedIds = new Set(scope.acks.map((ack) => ack.orderId));
  let missing = 0;
  for (const ack of scope.acks) {
    if (storedIds.has(ack.orderId)) continue;
    missing++;
    if (missing <= 10) findings.push(`order ${ack.orderId} (key ${ack.key}) was acknowledged but is not stored`);
  }
  const storedWithoutAck = orders.filter((order) => !ackedIds.has(order.id)).length;

  // One shopper, one Idempotency-Key, one email: two orders under one email are a duplicate.
  const ordersByEmail = new Map<string, number>();
  for (const order of orders) {
    if (!scope.keyPrefixes.some((prefix) => order.email.startsWith(prefix.toLowerCase()))) continue;
    ordersByEmail.set(order.email, (ordersByEmail.get(order.email) ?? 0) + 1);
  }
  let duplicateOrders = 0;
  for (const [email, count] of ordersByEmail) {
    if (count <= 1) continue;
    duplicateOrders += count - 1;
    if (duplicateOrders <= 10) findings.push(`${count} orders for the one Idempotency-Key of ${email}`);
  }

  const skus: SkuAudit[] = [];
  let oversold = 0;
  let soldMismatch = 0;
  let heldNow = 0;
  for (const entry of scope.skus) {
    const level = await adminGet<{ onHand: number; sold: number; held: number }>(target, `/admin/stock/${encodeURIComponent(entry.sku)}`);
    const unitsInOrders = orders
      .filter((order) => liveStatuses.has(order.status))
      .reduce((sum, order) => sum + order.lines.filter((line) => line.sku === entry.sku).reduce((units, line) => units + line.quantity, 0), 0);
    const ledgerExcess = level.sold + level.held - level.onHand;
    const ordersExcess = entry.stockGiven === null ? 0 : unitsInOrders - entry.stockGiven;
    const skuOversold = Math.max(0, ledgerExcess, ordersExcess);
    if (skuOversold > 0) findings.push(`${entry.sku}: oversold by ${skuOversold} (on hand ${level.onHand}, sold ${level.sold}, held ${level.held}, in orders ${unitsInOrders}, given ${entry.stockGiven ?? 'n/a'})`);
    oversold += skuOversold;
    // Only the bench's own SKUs: on another instance, shipped orders leave the ledger's `sold`.
    if (options.final && entry.stockGiven !== null && level.sold !== unitsInOrders) {
      soldMismatch += Math.abs(level.sold - unitsInOrders);
      findings.push(`${entry.sku}: the ledger says ${level.sold} sold, orders hold ${unitsInOrders}`);
    }
    heldNow += level.held;
    skus.push({ sku: entry.sku, stockGiven: entry.stockGiven, onHand: level.onHand, sold: level.sold, held: level.held, unitsInOrders, oversold: skuOversold });
  }
  const leakedHolds = options.holdsExpired ? heldNow : 0;
  if (leakedHolds > 0) findings.push(`${leakedHolds} units are still held after every hold's TTL`);

  return {
    acknowledged: scope.acks.length,
    stored: orders.length,
    missing,
    oversold,
    leakedHolds,
    duplicateOrders,
    storedWithoutAck,
    soldMismatch,
    heldNow,
    holdsChecked: options.holdsExpired,
    passed: missing === 0 && oversold === 0 && leakedHolds === 0 && duplicateOrders === 0 && soldMismatch === 0,
    at: new Date().toISOString(),
    skus,
    findings,
  };
}

/** Several audits (one per run of a scenario) as one: the counts add up, every run must pass. */
export function combineAudits(audits: Audit[]): Audit | null {
  const first = audits[0];
  if (first === undefined) return null;
  const sum = (pick: (one: Audit) => number) => audits.reduce((total, one) => total + pick(one), 0);
  return {
    acknowledged: sum((one) => one.acknowledged),
    stored: sum((one) => one.stored),
    missing: sum((one) => one.missing),
    oversold: sum((one) => one.oversold),
    leakedHolds: sum((one) => one.leakedHolds),
    duplicateOrders: sum((one) => one.duplicateOrders),
    storedWithoutAck: sum((one) => one.storedWithoutAck),
    soldMismatch: sum((one) => one.soldMismatch),
    heldNow: sum((one) => one.heldNow),
    holdsChecked: audits.every((one) => one.holdsChecked),
    passed: audits.every((one) => one.passed),
    at: audits[audits.length - 1]?.at ?? first.at,
    skus: audits.flatMap((one) => one.skus),
    findings: audits.flatMap((one) => one.findings),
  };
}
