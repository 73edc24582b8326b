// The bench's command line: `npm run bench -- <scenario> [--option value ...]`. Every option
// has a default that measures something meaningful on a small machine in about a minute.

import { join } from 'node:path';

export const scenarioNames = ['ceiling', 'browse', 'flash-sale', 'surge', 'crash', 'all', 'audit', 'report'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface BenchOptions {
  scenario: ScenarioName;
  targetUrl: string | undefined;
  adminKey: string | undefined;
  outDir: string;
  workers: number;
  timeoutMs: number;
  /** Measuring window of ceiling, browse, the max-rate flash sale and the 70% run. */
  durationS: number;
  /**
   * Unrecorded seconds before each of those windows, run by the same generator process on the
   * same connections. A fresh generator and a fresh server compile their code in their first
   * seconds under load (docs/benchmarks.md, ninth session): a window that starts cold measures
   * their compilers as much as the shop.
   */
  warmUpS: number;
  /** Connections of the closed-model ceiling and browse runs. */
  concurrency: number;
  units: number;
  shoppers: number;
  shopperConcurrency: number;
  holdTtlMs: number;
  /** How long to wait for a target's holds to expire when the bench did not set its TTLs. */
  holdWaitMs: number;
  restarts: number;
  surgeBaseRps: number;
  surgePhaseS: number;
  /** Share of surge arrivals that are shoppers (cart + checkout) rather than browsing. */
  surgeShopperShare: number;
  /** embedded: one fresh `peakcart serve` on SQLite; scale-out: PostgreSQL, Redis, N instances and HAProxy. */
  topology: 'embedded' | 'scale-out';
  instances: number;
  /** Scale-out without Redis: the holds stay in PostgreSQL (to compare the two). */
  withoutRedis: boolean;
  acksFile: string | undefined;
  holdsExpired: boolean;
  quiet: boolean;
}

export const usage = `usage: npm run bench -- <scenario> [options]
scenarios: ceiling | browse | flash-sale | surge | crash | all | audit | report
  --target URL           measure a running instance instead of starting a fresh one
  --admin-key KEY        its admin key (or PEAKCART_ADMIN_KEY), for setup and the audit
  --duration S           measuring window of ceiling, browse and the flash-sale rate runs (10)
  --warm-up S            unrecorded seconds of the same load before each of those windows (6)
  --concurrency N        connections of the ceiling and browse runs (64)
  --units N              units of the limited SKU in the flash sale race and crash (1000)
  --shoppers N           shoppers racing for them (20000)
  --shopper-concurrency N  concurrent shoppers of the closed model (256)
  --hold-ttl-ms MS       hold TTL of the bench SKU (and checkout hold of a started server) (5000)
  --restarts K           kill -9 and restarts in the crash run (5)
  --surge-base-rps R     base arrival rate of the surge; phases are 1x, 5x, 30x, 1x (60)
  --surge-phase-s S      length of each surge phase (10)
  --topology T           embedded (one fresh server, SQLite) or scale-out (PostgreSQL, Redis,
                         --instances N servers and HAProxy on loopback) (embedded)
  --instances N          API instances of the scale-out topology (1)
  --without-redis        scale-out with the holds in PostgreSQL instead of Redis
  --workers N            generator processes (1)
  --timeout-ms MS        a request without an answer by then counts as a timeout (10000)
  --out DIR              where the JSON results and report.html go (bench/results)
  --quiet                no progress line
audit only: --acks FILE (a <scenario>.acks.json), --holds-expired (count held units as leaked)`;

const defaults: Omit<BenchOptions, 'scenario'> = {
  targetUrl: undefined,
  adminKey: undefined,
  outDir: join(import.meta.dirname, 'results'),
  workers: 1,
  timeoutMs: 10_000,
  durationS: 10,
  // Six: under a closed flash sale both processes reached their steady cost per order only in
  // their sixth or seventh second; the ceiling's no-op load settles by its third.
  warmUpS: 6,
  concurrency: 64,
  units: 1_000,
  shoppers: 20_000,
  shopperConcurrency: 256,
  holdTtlMs: 5_000,
  holdWaitMs: 330_000,
  restarts: 5,
  surgeBaseRps: 60,
  surgePhaseS: 10,
  surgeShopperShare: 0.2,
  topology: 'embedded',
  instances: 1,
  withoutRedis: false,
  acksFile: undefined,
  holdsExpired: false,
  quiet: false,
};

const numeric: Record<string, { field: keyof BenchOptions; min: number; max: number }> = {
  '--workers': { field: 'workers', min: 1, max: 64 },
  '--timeout-ms': { field: 'timeoutMs', min: 100, max: 600_000 },
  '--duration': { field: 'durationS', min: 1, max: 3_600 },
  '--warm-up': { field: 'warmUpS', min: 0, max: 600 },
  '--concurrency': { field: 'concurrency', min: 1, max: 100_000 },
  '--units': { field: 'units', min: 1, max: 100_000_000 },
  '--shoppers': { field: 'shoppers', min: 1, max: 100_000_000 },
  '--shopper-concurrency': { field: 'shopperConcurrency', min: 1, max: 100_000 },
  '--hold-ttl-ms': { field: 'holdTtlMs', min: 1_000, max: 86_400_000 },
  '--hold-wait-ms': { field: 'holdWaitMs', min: 0, max: 86_400_000 },
  '--restarts': { field: 'restarts', min: 0, max: 1_000 },
  '--instances': { field: 'instances', min: 1, max: 16 },
  '--surge-base-rps': { field: 'surgeBaseRps', min: 1, max: 1_000_000 },
  '--surge-phase-s': { field: 'surgePhaseS', min: 1, max: 3_600 },
  '--surge-shopper-share': { field: 'surgeShopperShare', min: 0, max: 1 },
};

export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const [scenario, ...rest] = argv;
  if (!scenarioNames.includes(scenario as ScenarioName)) throw new Error(scenario === undefined ? usage : `unknown scenario '${scenario}'\n${usage}`);
  const options: BenchOptions = { ...defaults, scenario: scenario as ScenarioName, adminKey: env['PEAKCART_ADMIN_KEY'] || undefined };
  for (let index = 0; index < rest.length; index++) {
    const flag = rest[index] ?? '';
    const value = () => {
      const next = rest[++index];
      if (next === undefined) throw new Error(`${flag} needs a value\n${usage}`);
      return next;
    };
    const number = numeric[flag];
    if (number !== undefined) {
      const raw = value();
      const parsed = Number(raw);
      if (!Number.isFinite(parsed) || parsed < number.min || parsed > number.max) throw new Error(`${flag} must be a number from ${number.min} to ${number.max}, not '${raw}'`);
      (options[number.field] as number) = parsed;
      continue;
    }
    switch (flag) {
      case '--target':
        options.targetUrl = value().replace(/\/+$/, '');
        break;
      case '--topology': {
        const topology = value();
        if (topology !== 'embedded' && topology !== 'scale-out') throw new Error(`--topology is embedded or scale-out, not '${topology}'`);
        options.topology = topology;
        break;
      }
      case '--admin-key':
        options.adminKey = value();
        break;
      case '--out':
        options.outDir = value();
        break;
      case '--acks':
        options.acksFile = value();
        break;
      case '--holds-expired':
        options.holdsExpired = true;
        break;
      case '--without-redis':
        options.withoutRedis = true;
        break;
      case '--quiet':
        options.quiet = true;
        break;
      default:
        throw new Error(`unknown option '${flag}'\n${usage}`);
    }
  }
  if (options.targetUrl !== undefined && options.adminKey === undefined && options.scenario !== 'ceiling' && options.scenario !== 'browse' && options.scenario !== 'report') {
    throw new Error('--target needs --admin-key (or PEAKCART_ADMIN_KEY) for the setup and the audit');
  }
  if (options.topology === 'scale-out' && options.targetUrl !== undefined) throw new Error('--topology scale-out starts its own cluster; it does not go with --target');
  if (options.scenario === 'crash' && options.topology === 'scale-out') throw new Error('crash kills the embedded server; the scale-out faults are tests (test/fault)');
  if (options.scenario === 'crash' && options.targetUrl !== undefined) throw new Error('crash kills the server, so it only runs against a server the bench starts itself');
  return options;
}
