// What every scenario shares: the server under test (started fresh or given by --target), the
// result skeleton with the machine and the command, and waiting for holds to expire.

import { loadConfig } from '../../src/runtime/config.ts';
import type { AdminTarget, StockGiven } from '../audit.ts';
import type { RunResult } from '../generator/run.ts';
import type { BenchOptions } from '../options.ts';
import { machine, withoutAcks, type ScenarioResult } from '../results.ts';
import { startBenchServer, type BenchServer } from '../server.ts';
import { startLocalCluster } from '../../deploy/local-cluster.ts';
import { latencyOf } from '../stats.ts';
import { newHistogram } from '../generator/recorder.ts';

export interface Target extends AdminTarget {
  startedByBench: boolean;
  /** The env the bench gave the server, plus the admission limits in effect. */
  env: Record<string, string>;
  pid(): number | undefined;
  server: BenchServer | undefined;
}

/** The unrecorded milliseconds before every measured window of the ceiling, browse and the flash sale. */
export function warmUpMsOf(options: Pick<BenchOptions, 'warmUpS'>): number {
  return Math.round(options.warmUpS * 1000);
}

/** How often a started server sweeps expired holds: short, so the audit need not wait long. */
const sweepIntervalMs = 500;

/** Runs `body` against --target, or against a fresh server stopped afterwards. */
export async function withTarget<T>(options: BenchOptions, setup: { seed: boolean; env?: Record<string, string> }, body: (target: Target) => Promise<T>): Promise<T> {
  if (options.targetUrl !== undefined) {
    return body({ url: options.targetUrl, adminKey: options.adminKey ?? '', startedByBench: false, env: {}, pid: () => undefined, server: undefined });
  }
  const env: Record<string, string> = {
    // Half the hold TTL, as the defaults have it (10 min holds, 5 min for a payment): a hold taken
    // at add-to-cart a moment ago covers the payment. Equal to the TTL, every checkout would
    // take its hold again, one more durable write per order than a shop with default settings.
    PEAKCART_CHECKOUT_HOLD_MIN_MS: String(Math.max(1_000, Math.floor(options.holdTtlMs / 2))),
    PEAKCART_SWEEP_INTERVAL_MS: String(sweepIntervalMs),
    ...setup.env,
  };
  if (options.topology === 'scale-out') return withCluster(options, setup.seed, env, body);
  const server = await startBenchServer({ env, seed: setup.seed });
  try {
    const effective = loadConfig({ ...process.env, ...server.env }).inFlightMax;
    const recorded: Record<string, string> = {
      ...server.env,
      'admission in-flight max (checkout/cart/admin)': `${effective.checkout}/${effective.cart}/${effective.admin}`,
    };
    delete recorded['PEAKCART_DB'];
    return await body({ url: server.url, adminKey: server.adminKey, startedByBench: true, env: recorded, pid: server.pid, server });
  } finally {
    await server.stop();
  }
}

/** The same, against PostgreSQL + Redis + `options.instances` servers behind HAProxy. */
async function withCluster<T>(options: BenchOptions, seed: boolean, env: Record<string, string>, body: (target: Target) => Promise<T>): Promise<T> {
  const adminKey = `bench-${Date.now().toString(36)}`;
  const clusterEnv = { ...env, PEAKCART_LOG_LEVEL: 'warn' };
  const cluster = await startLocalCluster({ instances: options.instances, adminKey, seed, env: clusterEnv, redis: !options.withoutRedis });
  try {
    const effective = loadConfig({ ...process.env, ...clusterEnv }).inFlightMax;
    const recorded: Record<string, string> = {
      ...clusterEnv,
      topology: `scale-out: PostgreSQL 15${options.withoutRedis ? ' (holds too, no Redis)' : ' + Redis (AOF everysec)'} + ${options.instances} instance(s) behind HAProxy 2.6, all on this machine`,
      'admission in-flight max per instance (checkout/cart/admin)': `${effective.checkout}/${effective.cart}/${effective.admin}`,
    };
    // No single server pid: the generator's CPU check still runs, the server's CPU is not read.
    return await body({ url: cluster.url, adminKey, startedByBench: true, env: recorded, pid: () => undefined, server: undefined });
  } finally {
    await cluster.stop();
  }
}

/** Admission limits large enough that N concurrent shoppers are never turned away by them. */
export function admissionFor(concurrentShoppers: number): Record<string, string> {
  return {
    PEAKCART_CART_IN_FLIGHT_MAX: String(Math.max(512, concurrentShoppers * 4)),
    PEAKCART_CHECKOUT_IN_FLIGHT_MAX: String(Math.max(1_024, concurrentShoppers * 4)),
  };
}

/** Waits until no unit of these SKUs is held, or until the holds must have expired. */
export async function waitForHolds(target: Target, skus: StockGiven[], options: BenchOptions, lastRequestAtMs: number): Promise<void> {
  // A started server has the bench's TTLs; elsewhere the checkout hold may be minutes long.
  const expiresAtMs = lastRequestAtMs + (target.startedByBench ? options.holdTtlMs + 2 * sweepIntervalMs + 1_000 : options.holdWaitMs);
  for (;;) {
    let held = 0;
    for (const { sku } of skus) {
      const response = await fetch(`${target.url}/admin/stock/${encodeURIComponent(sku)}`, { headers: { authorization: `Bearer ${target.adminKey}` } });
      held += response.ok ? ((await response.json()) as { held: number }).held : 1;
    }
    if (held === 0 || Date.now() >= expiresAtMs) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(10, expiresAtMs - Date.now()))));
  }
}

export function baseResult(options: BenchOptions, scenario: string, target: Target, headline: RunResult, runs: RunResult[]): ScenarioResult {
  const where = machine();
  return {
    scenario,
    node: where.node,
    cpus: where.cpus,
    machine: where,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: runs[0]?.startedAt ?? new Date().toISOString(),
    durationS: Math.round(runs.reduce((sum, run) => sum + run.durationS, 0) * 1000) / 1000,
    requests: headline.requests,
    ok: headline.ok,
    errorsByStatus: headline.errorsByStatus,
    errorsByType: headline.errorsByType,
    throughputRps: headline.throughputRps,
    ordersPerS: null,
    latencyMs: headline.latencyMs,
    ceilingRps: null,
    ratioToCeiling: null,
    audit: null,
    server: { startedByBench: target.startedByBench, url: target.url, env: target.env },
    definitions: {},
    warnings: runs.flatMap((run) => run.generator.warnings.map((warning) => `${run.name}: ${warning}`)),
    runs: runs.map(withoutAcks),
  };
}

/** Prints warnings about a scenario's figures as the generator prints its own, and keeps them in its result. */
export function warnAbout(result: ScenarioResult, warnings: readonly string[]): void {
  for (const warning of warnings) {
    console.warn(`  ! ${result.scenario}: ${warning}`);
    result.warnings.push(warning);
  }
}

export function ratio(value: number | null, ceilingRps: number | null): number | null {
  if (value === null || ceilingRps === null || ceilingRps <= 0) return null;
  return Math.round((value / ceilingRps) * 1000) / 1000;
}

/** The latency of one request kind in a run (e.g. checkout), or zeros if there was none. */
export function kindLatency(run: RunResult, kind: string): { p50: number; p99: number; count: number } {
  const latency = run.latencyByKind[kind];
  if (latency === undefined) {
    const empty = latencyOf(newHistogram());
    return { p50: empty.p50, p99: empty.p99, count: 0 };
  }
  return { p50: latency.p50, p99: latency.p99, count: latency.count };
}

export function runPrefix(scenario: string): string {
  return `${scenario}-${Date.now().toString(36)}`;
}
