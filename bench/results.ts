// The JSON a scenario leaves in bench/results/<scenario>.json: the headline figures the issue
// names at the top level, every run with its time series below, and where it was measured.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Audit } from './audit.ts';
import type { AckedOrder } from './generator/protocol.ts';
import type { RunResult } from './generator/run.ts';
import type { LatencyMs } from './stats.ts';

export interface Machine {
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
}

export interface ScenarioResult {
  scenario: string;
  node: string;
  cpus: number;
  machine: Machine;
  command: string;
  startedAt: string;
  durationS: number;
  requests: number;
  ok: number;
  errorsByStatus: Record<string, number>;
  errorsByType: Record<string, number>;
  throughputRps: number;
  ordersPerS: number | null;
  latencyMs: LatencyMs;
  ceilingRps: number | null;
  /** throughputRps (or ordersPerS for the flash sale) over ceilingRps of the same run. */
  ratioToCeiling: number | null;
  audit: Audit | null;
  /** How the server was run: started by the bench (and its env, incl. admission limits) or a target. */
  server: { startedByBench: boolean; url: string; env: Record<string, string> };
  /** What the figures mean, in words, so nobody has to guess from a number. */
  definitions: Record<string, string>;
  warnings: string[];
  runs: Omit<RunResult, 'acks'>[];
  /** Scenario-specific figures (checkoutLatencyMsAt70, race, phases, restarts ...). */
  [extra: string]: unknown;
}

export function machine(): Machine {
  const cores = cpus();
  return {
    node: process.version,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform} ${process.arch}`,
  };
}

export function withoutAcks(run: RunResult): Omit<RunResult, 'acks'> {
  const { acks: _acks, ...rest } = run;
  return rest;
}

export function writeResult(outDir: string, result: ScenarioResult): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${result.scenario}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** The orders a scenario saw acknowledged, kept apart (they can be many) for `bench audit --acks`. */
export interface AcksFile {
  scenario: string;
  skus: { sku: string; stockGiven: number | null }[];
  keyPrefixes: string[];
  acks: AckedOrder[];
}

export function writeAcks(outDir: string, acks: AcksFile): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${acks.scenario}.acks.json`), JSON.stringify(acks));
}

export function readResults(outDir: string): ScenarioResult[] {
  let files: string[];
  try {
    files = readdirSync(outDir);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.json') && !file.endsWith('.acks.json'))
    .map((file) => JSON.parse(readFileSync(join(outDir, file), 'utf8')) as ScenarioResult)
    .filter((result) => typeof result.scenario === 'string' && Array.isArray(result.runs));
}
