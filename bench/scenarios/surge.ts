// surge: browsing and buying mixed, arriving on an open-model schedule that climbs from a base
// rate to 5x and 30x and back, with the server's admission limits as configured. Reported per
// phase: what got through, how fast, and how the rest was turned away (429/503, timeouts).

import { audit, type StockGiven } from '../audit.ts';
import { runLoad } from '../generator/run.ts';
import type { BenchOptions } from '../options.ts';
import type { AcksFile, ScenarioResult } from '../results.ts';
import { createSaleSku, readCatalog } from '../setup.ts';
import { realisticRevalidateShare } from './browse.ts';
import { baseResult, ratio, runPrefix, waitForHolds, withTarget } from './common.ts';
import { shopperFlow } from './flash-sale.ts';

const surgeUnits = 10_000_000;
/** Enough connections that the server's own admission control, not the client pool, decides. */
const surgeConnections = 4_096;
export const surgeMultipliers = [
  { name: 'base', factor: 1 },
  { name: '5x', factor: 5 },
  { name: '30x', factor: 30 },
  { name: 'recovery', factor: 1 },
] as const;

export async function surgeScenario(options: BenchOptions, ceilingRps: number | null): Promise<{ result: ScenarioResult; acks: AcksFile }> {
  return withTarget(options, { seed: true }, async (target) => {
    const prefix = runPrefix('surge');
    const catalog = await readCatalog(target.url, 500);
    const sku = await createSaleSku(target, { label: 'surge', units: surgeUnits, holdTtlMs: options.holdTtlMs });
    const phases = surgeMultipliers.map(({ name, factor }) => ({ name, ratePerS: options.surgeBaseRps * factor, durationMs: options.surgePhaseS * 1000 }));
    const run = await runLoad({
      name: 'surge',
      targetUrl: target.url,
      model: { kind: 'open', phases, outstandingMax: 50_000 },
      flow: {
        kind: 'mixed',
        browse: { kind: 'browse', items: catalog.items, categories: catalog.categories, revalidateShare: realisticRevalidateShare },
        shopper: shopperFlow(sku, prefix, Number.MAX_SAFE_INTEGER, 0),
        shopperShare: options.surgeShopperShare,
      },
      workers: options.workers,
      connections: surgeConnections,
      timeoutMs: options.timeoutMs,
      serverPid: target.pid(),
      quiet: options.quiet,
    });
    const skus: StockGiven[] = [{ sku, stockGiven: surgeUnits }];
    await waitForHolds(target, skus, options, Date.now());
    const verdict = await audit(target, { skus, keyPrefixes: [prefix], acks: run.acks }, { holdsExpired: true, final: true });
    const result = baseResult(options, 'surge', target, run, [run]);
    result.ordersPerS = Math.round((run.orders / run.durationS) * 10) / 10;
    result.ceilingRps = ceilingRps;
    result.ratioToCeiling = ratio(run.throughputRps, ceilingRps);
    result.audit = verdict;
    result['phases'] = run.phases.map((phase) => ({
      ...phase,
      arrivalsPerS: phase.targetRps,
      overloadAnswers: (phase.byClass['429'] ?? 0) + (phase.byClass['503'] ?? 0),
      timeouts: phase.byClass['timeout'] ?? 0,
    }));
    result['hanging'] = run.generator.hanging;
    result['overloadWithoutRetryAfter'] = Object.entries(run.errorsByType).filter(([type]) => type.endsWith('-without-retry-after')).reduce((sum, [, count]) => sum + count, 0);
    result.definitions = {
      phases: `open model: visitors arrive on a fixed schedule whatever the server does, ${options.surgePhaseS} s per phase at ${surgeMultipliers.map((m) => `${m.factor}x`).join(', ')} of ${options.surgeBaseRps} arrivals/s. ${Math.round(options.surgeShopperShare * 100)}% of arrivals are shoppers (create cart, add 1, check out: 3 requests, no retry), the rest one browse request of the browse mix. Latency counts from the scheduled arrival. ${surgeConnections} client connections; a request unanswered after ${options.timeoutMs} ms is a timeout.`,
      hanging: 'requests still unanswered after the timeout and a 2 s grace: must be 0.',
    };
    return { result, acks: { scenario: 'surge', skus, keyPrefixes: [prefix], acks: run.acks } };
  });
}
