// ceiling: a no-op GET through the same Hono app and middleware stack (request id, metrics,
// not-found and error handling) as every other route, by the same generator: the most this
// machine's HTTP stack can serve, against which every other figure is a ratio.

import { runLoad } from '../generator/run.ts';
import type { BenchOptions } from '../options.ts';
import type { ScenarioResult } from '../results.ts';
import { baseResult, withTarget } from './common.ts';

/** /healthz answers a constant without touching the store: a genuine no-op of the same stack. */
export const noopPath = '/healthz';
const warmUpMs = 2_000;

export async function ceilingScenario(options: BenchOptions): Promise<ScenarioResult> {
  return withTarget(options, { seed: false }, async (target) => {
    const load = (name: string, durationMs: number, quiet: boolean) =>
      runLoad({
        name,
        targetUrl: target.url,
        model: { kind: 'closed', concurrency: options.concurrency, durationMs },
        flow: { kind: 'noop', path: noopPath },
        workers: options.workers,
        connections: options.concurrency,
        timeoutMs: options.timeoutMs,
        serverPid: target.pid(),
        quiet,
      });
    await load('ceiling warm-up', warmUpMs, true);
    const run = await load('ceiling', options.durationS * 1000, options.quiet);
    const result = baseResult(options, 'ceiling', target, run, [run]);
    result.ceilingRps = run.throughputRps;
    result.ratioToCeiling = 1;
    result.definitions = {
      ceilingRps: `requests per second of GET ${noopPath} by ${options.concurrency} closed-model connections for ${options.durationS} s, after a ${warmUpMs / 1000} s warm-up; the route goes through the same Hono app and global middleware (request id, metrics) as every other route and answers a constant.`,
    };
    return result;
  });
}
