// browse: what shoppers do most, product lists, product pages, availability and categories in
// a storefront-like mix, once without and once with ETag revalidation (If-None-Match).

import { auditShop } from '../audit.ts';
import { runLoad, type RunResult } from '../generator/run.ts';
import type { BenchOptions } from '../options.ts';
import type { ScenarioResult } from '../results.ts';
import { readCatalog } from '../setup.ts';
import { besideDefinitions, ceilingBeside, recordBeside } from './ceiling.ts';
import { baseResult, ratio, warmUpMsOf, withTarget } from './common.ts';

/** Share of requests that revalidate in the realistic mix: returning visitors and CDNs. */
export const realisticRevalidateShare = 0.5;
const catalogItemsMax = 500;

export async function browseScenario(options: BenchOptions, ceilingRps: number | null): Promise<ScenarioResult> {
  return withTarget(options, { seed: true }, async (target) => {
    const catalog = await readCatalog(target.url, catalogItemsMax);
    const load = (name: string, revalidateShare: number, quiet: boolean) =>
      runLoad({
        name,
        targetUrl: target.url,
        model: { kind: 'closed', concurrency: options.concurrency, durationMs: options.durationS * 1000, warmUpMs: warmUpMsOf(options) },
        flow: { kind: 'browse', items: catalog.items, categories: catalog.categories, revalidateShare },
        workers: options.workers,
        connections: options.concurrency,
        timeoutMs: options.timeoutMs,
        serverPid: target.pid(),
        quiet,
      });
    const plain: RunResult = await load('browse without revalidation', 0, options.quiet);
    const { value: realistic, beside } = await ceilingBeside(options, target, () => load('browse', realisticRevalidateShare, options.quiet));
    const result = baseResult(options, 'browse', target, realistic, [realistic, plain]);
    // Reads take no orders, but the audit still holds the shop they read to its promises.
    result.audit = await auditShop(target, { holdsExpired: target.startedByBench });
    result.ceilingRps = ceilingRps;
    result.ratioToCeiling = ratio(realistic.throughputRps, ceilingRps);
    recordBeside(result, beside, realistic.throughputRps, ceilingRps);
    result['withoutRevalidation'] = { throughputRps: plain.throughputRps, ratioToCeiling: ratio(plain.throughputRps, ceilingRps), latencyMs: plain.latencyMs };
    result['catalog'] = { products: catalog.items.length, categories: catalog.categories.length };
    result.definitions = {
      throughputRps: `requests per second by ${options.concurrency} closed-model connections for ${options.durationS} s, after a ${options.warmUpS} s warm-up of the same load by the same generator process (not counted), over the demo catalog (${catalog.items.length} products): 45% product pages, 30% product lists (half by category), 20% availability of one SKU, 5% categories; in this headline run ${realisticRevalidateShare * 100}% of requests for a URL seen before send If-None-Match with its ETag (answered 304 when unchanged).`,
      withoutRevalidation: 'the same mix with no If-None-Match: every answer is a full 200.',
      ratioToCeiling: 'throughputRps / ceilingRps of the same run.',
      ...besideDefinitions(options, 'throughputRps'),
      audit: 'after the runs, over every SKU of the shop: no order stored (none was placed), no SKU sold or held beyond its stock, and (on a server the bench started, which no one else shops at) no unit held.',
    };
    return result;
  });
}
