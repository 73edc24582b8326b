// crash: the flash sale while the server is kill -9'ed and started again K times on the same
// data dir and port. Shoppers cut off retry with the same Idempotency-Key; after every restart
// the auditor checks that every order acknowledged so far survived, and at the end, after the
// hold TTL, the full audit.

import { audit, type Audit, type StockGiven } from '../audit.ts';
import type { AckedOrder } from '../generator/protocol.ts';
import { runLoad } from '../generator/run.ts';
import type { BenchOptions } from '../options.ts';
import type { AcksFile, ScenarioResult } from '../results.ts';
import { createSaleSku } from '../setup.ts';
import { admissionFor, baseResult, runPrefix, waitForHolds, withTarget } from './common.ts';
import { raceFigures, shopperFlow } from './flash-sale.ts';

/** How long a cut-off shopper keeps retrying: past restarts and the idempotency lease (15 s). */
const retryForMs = 120_000;
/** A crashed request's idempotency claim holds its key for 15 s; retries must outlast the wait. */
const crashTimeoutMsMin = 15_000;

export interface RestartRecord {
  restart: number;
  soldBeforeKill: number;
  /** False when the shoppers had bought every unit before this kill (it came due during an audit). */
  duringSale: boolean;
  killedAtS: number;
  downMs: number;
  audit: Audit;
}

export async function crashScenario(options: BenchOptions): Promise<{ result: ScenarioResult; acks: AcksFile }> {
  return withTarget(options, { seed: false, env: admissionFor(options.shopperConcurrency) }, async (target) => {
    const server = target.server;
    if (server === undefined) throw new Error('crash needs a server the bench started');
    const prefix = runPrefix('crash');
    const sku = await createSaleSku(target, { label: 'crash', units: options.units, holdTtlMs: options.holdTtlMs });
    const skus: StockGiven[] = [{ sku, stockGiven: options.units }];
    // Kill k of K when k/(K+1) of the units are sold, so every crash lands inside the sale.
    const killAt = Array.from({ length: options.restarts }, (_, index) => Math.max(1, Math.floor(((index + 1) * options.units) / (options.restarts + 1))));
    const acks: AckedOrder[] = [];
    const restarts: RestartRecord[] = [];
    const startedAtMs = Date.now();
    let chain: Promise<void> = Promise.resolve();
    let busy = false;

    const crashOnce = async () => {
      const soldBeforeKill = acks.length;
      const killedAtS = Math.round((Date.now() - startedAtMs) / 100) / 10;
      await server.kill9();
      const downFromMs = Date.now();
      await server.restart();
      const downMs = Date.now() - downFromMs;
      const verdict = await audit(target, { skus, keyPrefixes: [prefix], acks: [...acks] }, { holdsExpired: false, final: false });
      restarts.push({ restart: restarts.length + 1, soldBeforeKill, duringSale: soldBeforeKill < options.units, killedAtS, downMs, audit: verdict });
      if (!options.quiet) console.log(`\n  crash ${restarts.length}/${options.restarts}: killed at ${killedAtS}s after ${soldBeforeKill} orders, back in ${downMs} ms, audit ${verdict.passed ? 'ok' : 'FAILED'} (missing ${verdict.missing}, oversold ${verdict.oversold}, duplicates ${verdict.duplicateOrders})`);
    };

    const crashIfDue = (): void => {
      if (busy) return;
      const next = killAt[restarts.length];
      if (next === undefined || acks.length < next) return;
      busy = true;
      chain = chain.then(crashOnce).finally(() => {
        busy = false;
        crashIfDue();
      });
    };

    const run = await runLoad({
      name: 'crash',
      targetUrl: target.url,
      model: { kind: 'closed', concurrency: options.shopperConcurrency, durationMs: 30 * 60_000 },
      flow: shopperFlow(sku, prefix, options.shoppers, retryForMs),
      workers: options.workers,
      connections: options.shopperConcurrency,
      timeoutMs: Math.max(options.timeoutMs, crashTimeoutMsMin),
      quiet: options.quiet,
      onAcks: (more) => {
        acks.push(...more);
        crashIfDue();
      },
    });
    // A kill that came due while the last restart was being audited starts when that audit ends,
    // even if the shoppers have finished by then: K restarts are K restarts.
    for (let current = chain; ; current = chain) {
      await current;
      if (current === chain) break;
    }
    await waitForHolds(target, skus, options, Date.now());
    const final = await audit(target, { skus, keyPrefixes: [prefix], acks: run.acks }, { holdsExpired: true, final: true });
    const allPassed = final.passed && restarts.every((restart) => restart.audit.passed);
    const verdict: Audit = { ...final, passed: allPassed, findings: [...restarts.flatMap((restart) => restart.audit.findings.map((finding) => `after restart ${restart.restart}: ${finding}`)), ...final.findings] };

    const result = baseResult(options, 'crash', target, run, [run]);
    const race = raceFigures(run, options.units, options.shoppers);
    result.ordersPerS = race.ordersPerS;
    result.audit = verdict;
    result['race'] = race;
    result['restartsPlanned'] = options.restarts;
    result['restarts'] = restarts;
    result.definitions = {
      restarts: `the server is killed with SIGKILL when ${killAt.join(', ')} orders were acknowledged, and started again on the same data dir and port; right after each restart the auditor checks every order acknowledged so far is stored, no oversell, no duplicate per Idempotency-Key.`,
      audit: 'the final audit after the sale and the hold TTL (every hold must be gone); passed only if every audit after a restart passed too.',
      ordersPerS: 'units sold / seconds from the first request to the acknowledgement of the last unit, crashes included.',
      shoppers: `shoppers cut off (connection refused or reset, 5xx, 503, timeout, idempotency-in-progress) retry the same step with the same Idempotency-Key for up to ${retryForMs / 1000} s.`,
    };
    return { result, acks: { scenario: 'crash', skus, keyPrefixes: [prefix], acks: run.acks } };
  });
}
