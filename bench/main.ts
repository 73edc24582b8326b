// `npm run bench -- <scenario> [options]`: runs a scenario (or all of them, ceiling first),
// writes bench/results/<scenario>.json and report.html, prints the figures, and exits non-zero
// when an audit fails. `audit --target URL` audits any running instance on demand.

import { readFileSync } from 'node:fs';
import { audit, auditShop, type Audit } from './audit.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import { writeReport } from './report/html.ts';
import { readResults, writeAcks, writeResult, type AcksFile, type ScenarioResult } from './results.ts';
import { browseScenario } from './scenarios/browse.ts';
import { ceilingScenario } from './scenarios/ceiling.ts';
import { crashScenario } from './scenarios/crash.ts';
import { flashSaleScenario } from './scenarios/flash-sale.ts';
import { surgeScenario } from './scenarios/surge.ts';

function summaryLine(result: ScenarioResult): string {
  const parts = [`${result.scenario}: ${result.throughputRps} req/s`, `p99 ${result.latencyMs.p99} ms`];
  if (result.ordersPerS !== null) parts.push(`${result.ordersPerS} orders/s`);
  if (result.ratioToCeiling !== null) parts.push(`${(result.ratioToCeiling * 100).toFixed(1)}% of ceiling`);
  const beside = result['ratioToCeilingBeside'];
  if (typeof beside === 'number') parts.push(`${(beside * 100).toFixed(1)}% of the no-op rate beside it`);
  const at70 = result['checkoutLatencyMsAt70'] as { p50: number; p99: number } | undefined;
  if (at70 !== undefined) parts.push(`checkout at 70%: p50 ${at70.p50} ms, p99 ${at70.p99} ms`);
  if (result.audit !== null) parts.push(auditLine(result.audit));
  return parts.join(' | ');
}

function auditLine(verdict: Audit): string {
  return `audit ${verdict.passed ? 'ok' : 'FAILED'} (acknowledged ${verdict.acknowledged}, stored ${verdict.stored}, missing ${verdict.missing}, oversold ${verdict.oversold}, leaked holds ${verdict.leakedHolds}, duplicates ${verdict.duplicateOrders}, stored without ack ${verdict.storedWithoutAck})`;
}

/** The ceiling of an earlier run, when a single scenario runs on its own. */
function earlierCeiling(options: BenchOptions): number | null {
  const ceiling = readResults(options.outDir).find((result) => result.scenario === 'ceiling');
  return ceiling?.ceilingRps ?? null;
}

async function runScenario(options: BenchOptions, name: string, ceilingRps: number | null): Promise<ScenarioResult> {
  const scenarioOptions = { ...options };
  let outcome: { result: ScenarioResult; acks?: AcksFile };
  if (!options.quiet) console.log(`${name} ...`);
  switch (name) {
    case 'ceiling':
      outcome = { result: await ceilingScenario(scenarioOptions) };
      break;
    case 'browse':
      outcome = { result: await browseScenario(scenarioOptions, ceilingRps) };
      break;
    case 'flash-sale':
      outcome = await flashSaleScenario(scenarioOptions, ceilingRps);
      break;
    case 'surge':
      outcome = await surgeScenario(scenarioOptions, ceilingRps);
      break;
    case 'crash':
      outcome = await crashScenario(scenarioOptions);
      break;
    default:
      throw new Error(`unknown scenario ${name}`);
  }
  if (options.scenario !== 'all' && ceilingRps !== null && name !== 'ceiling') outcome.result['ceilingFrom'] = 'bench/results/ceiling.json of an earlier run';
  writeResult(options.outDir, outcome.result);
  if (outcome.acks !== undefined) writeAcks(options.outDir, outcome.acks);
  console.log(summaryLine(outcome.result));
  for (const finding of outcome.result.audit?.findings.slice(0, 20) ?? []) console.log(`  - ${finding}`);
  return outcome.result;
}

async function auditOnDemand(options: BenchOptions): Promise<boolean> {
  if (options.targetUrl === undefined || options.adminKey === undefined) throw new Error('audit needs --target URL and --admin-key (or PEAKCART_ADMIN_KEY)');
  const target = { url: options.targetUrl, adminKey: options.adminKey };
  const recorded = options.acksFile === undefined ? undefined : (JSON.parse(readFileSync(options.acksFile, 'utf8')) as AcksFile);
  const verdict = recorded === undefined ? await auditShop(target, { holdsExpired: options.holdsExpired }) : await audit(target, recorded, { holdsExpired: options.holdsExpired, final: true });
  console.log(JSON.stringify({ ...verdict, skus: verdict.skus.length > 50 ? `${verdict.skus.length} SKUs` : verdict.skus }, null, 2));
  console.log(auditLine(verdict));
  if (recorded === undefined) console.log('(ledger checks only: pass --acks bench/results/<scenario>.acks.json to check missing and duplicate orders of a run)');
  return verdict.passed;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.scenario === 'audit') return (await auditOnDemand(options)) ? 0 : 1;
  if (options.scenario !== 'report') {
    const names = options.scenario === 'all' ? ['ceiling', 'browse', 'flash-sale', 'surge', 'crash'] : [options.scenario];
    if (options.scenario === 'all' && options.targetUrl !== undefined) names.pop();
    let ceilingRps = options.scenario === 'all' || options.scenario === 'ceiling' ? null : earlierCeiling(options);
    let failed = false;
    for (const name of names) {
      const result = await runScenario(options, name, ceilingRps);
      if (name === 'ceiling') ceilingRps = result.ceilingRps;
      if (result.audit !== null && !result.audit.passed) failed = true;
    }
    const report = writeReport(options.outDir);
    console.log(`results in ${options.outDir}, report ${report}`);
    return failed ? 1 : 0;
  }
  console.log(`report ${writeReport(options.outDir)}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
