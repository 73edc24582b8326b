// ceiling: a no-op GET through the same Hono app and middleware stack (request id, metrics,
// not-found and error handling) as every other route, by the same generator: the most this
// machine's HTTP stack can serve, against which every other figure is a ratio.
//
// This box's speed drifts by a third within minutes, and the ceiling scenario runs a minute or
// two before the others. So browse and the flash sale also measure the no-op rate on their own
// server just before and just after their headline window, the same way (`ceilingBeside`), and
// give their ratio to that as well: the two rates show how steady the box was meanwhile.

import { auditShop } from '../audit.ts';
import { runLoad, type RunResult } from '../generator/run.ts';
import type { BenchOptions } from '../options.ts';
import type { ScenarioResult } from '../results.ts';
import { baseResult, ratio, warmUpMsOf, warnAbout, withTarget, type Target } from './common.ts';

/** /healthz answers a constant without touching the store: a genuine no-op of the same stack. */
export const noopPath = '/healthz';

function noopLoad(options: BenchOptions, target: Target, name: string, quiet: boolean): Promise<RunResult> {
  return runLoad({
    name,
    targetUrl: target.url,
    model: { kind: 'closed', concurrency: options.concurrency, durationMs: options.durationS * 1000, warmUpMs: warmUpMsOf(options) },
    flow: { kind: 'noop', path: noopPath },
    workers: options.workers,
    connections: options.concurrency,
    timeoutMs: options.timeoutMs,
    serverPid: target.pid(),
    quiet,
  });
}

export interface CeilingBeside {
  beforeRps: number;
  afterRps: number;
  /** The mean of the two: the yardstick for the window between them. */
  meanRps: number;
}

/**
 * Two no-op rates further apart than this share of their mean were measured on what was, for
 * the bench, another machine: on 2026-12-07 one went from 31,019 to 15,985 req/s in half a minute.
 */
export const besideDriftMax = 0.25;

function apart(a: number, b: number): number {
  const mean = (a + b) / 2;
  return mean > 0 ? Math.abs(a - b) / mean : 0;
}

/**
 * What the no-op rates beside a window say about the box while it was measured: that its speed
 * changed during the window, or since the ceiling scenario ran. A ratio is only as good as the
 * two rates it divides were taken on the same machine, so a reader must see when they were not.
 */
export function besideWarnings(beside: CeilingBeside, ceilingRps: number | null): string[] {
  const warnings: string[] = [];
  const { beforeRps, afterRps, meanRps } = beside;
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  if (apart(beforeRps, afterRps) > besideDriftMax) {
    warnings.push(`the no-op rate was ${Math.round(beforeRps)} req/s before the window and ${Math.round(afterRps)} after (${percent(apart(beforeRps, afterRps))} apart): the box's speed changed while the window was measured`);
  }
  if (ceilingRps !== null && apart(meanRps, ceilingRps) > besideDriftMax) {
    warnings.push(`the no-op rate beside the window (${Math.round(meanRps)} req/s) is ${percent(apart(meanRps, ceilingRps))} away from ceilingRps (${Math.round(ceilingRps)}): ratioToCeiling divides rates of two different speeds of the box`);
  }
  return warnings;
}

/**
 * Records the no-op rates beside a scenario's window in its result: the rates, `measured`
 * divided by their mean, and the warnings they call for.
 */
export function recordBeside(result: ScenarioResult, beside: CeilingBeside, measured: number | null, ceilingRps: number | null): void {
  result['ceilingBeside'] = beside;
  result['ratioToCeilingBeside'] = ratio(measured, beside.meanRps);
  warnAbout(result, besideWarnings(beside, ceilingRps));
}

/** Runs `measure` between two no-op windows on the same server, each measured as the ceiling scenario's. */
export async function ceilingBeside<T>(options: BenchOptions, target: Target, measure: () => Promise<T>): Promise<{ value: T; beside: CeilingBeside }> {
  const noop = async (name: string) => (await noopLoad(options, target, name, true)).throughputRps;
  const beforeRps = await noop('ceiling before');
  const value = await measure();
  const afterRps = await noop('ceiling after');
  const meanRps = Math.round(((beforeRps + afterRps) / 2) * 10) / 10;
  return { value, beside: { beforeRps, afterRps, meanRps } };
}

/** The definitions of the two fields a scenario records from ceilingBeside. */
export function besideDefinitions(options: BenchOptions, ratioOf: string): Record<string, string> {
  return {
    ceilingBeside: `requests per second of GET ${noopPath} on this scenario's server, measured as ceilingRps is (${options.concurrency} closed-model connections for ${options.durationS} s after a ${options.warmUpS} s warm-up of the same generator process), just before and just after the headline window; meanRps is their mean.`,
    ratioToCeilingBeside: `${ratioOf} / ceilingBeside.meanRps: the same ratio against the no-op rate of the same minutes. The targets are judged by ratioToCeiling; this one, with the two rates, shows how far the box drifted.`,
  };
}

export async function ceilingScenario(options: BenchOptions): Promise<ScenarioResult> {
  return withTarget(options, { seed: false }, async (target) => {
    const run = await noopLoad(options, target, 'ceiling', options.quiet);
    const result = baseResult(options, 'ceiling', target, run, [run]);
    result.ceilingRps = run.throughputRps;
    result.ratioToCeiling = 1;
    result.audit = await auditShop(target, { holdsExpired: target.startedByBench });
    result.definitions = {
      ceilingRps: `requests per second of GET ${noopPath} by ${options.concurrency} closed-model connections for ${options.durationS} s, after a ${options.warmUpS} s warm-up of the same load by the same generator process on the same connections (not counted); the route goes through the same Hono app and global middleware (request id, metrics) as every other route and answers a constant.`,
      audit: 'after the run, over every SKU of the (empty) shop: the no-op stored no order and moved no stock.',
    };
    return result;
  });
}
