// Runs `npm run bench` as a child process, the way CI and a person run it, so the tests cover
// the real command line, the forked generator and the exit code the audit decides.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const projectRoot = join(import.meta.dirname, '..', '..');

export interface BenchRun {
  code: number | null;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

export async function runBench(args: string[], outDir: string): Promise<BenchRun> {
  const argv = ['--disable-warning=ExperimentalWarning', join(projectRoot, 'bench/main.ts'), ...args, '--out', outDir, '--quiet'];
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', resolve);
  });
  return { code, output };
}

export interface AuditFigures {
  acknowledged: number;
  stored: number;
  missing: number;
  oversold: number;
  leakedHolds: number;
  duplicateOrders: number;
  passed: boolean;
}

export interface BenchResultFile {
  audit: AuditFigures;
  race?: { sold: number; soldOut: boolean };
  restarts?: Array<{ restart: number; audit: AuditFigures }>;
  ordersPerS?: number;
  ceilingBeside?: { beforeRps: number; afterRps: number; meanRps: number };
  ratioToCeilingBeside?: number | null;
  runs?: BenchRunFigures[];
}

export interface BenchRunFigures {
  name: string;
  firstRequestAtMs: number;
  measuredFromAtMs: number;
  durationS: number;
  requests: number;
  series: Array<{ second: number; phase: string; requests: number; orders: number }>;
}

export interface AcksFileFigures {
  keyPrefixes: string[];
  acks: Array<{ key: string; atMs: number }>;
}

export function readAcks(outDir: string, scenario: string): AcksFileFigures {
  return JSON.parse(readFileSync(join(outDir, `${scenario}.acks.json`), 'utf8')) as AcksFileFigures;
}

export function readResult(outDir: string, scenario: string): BenchResultFile {
  return JSON.parse(readFileSync(join(outDir, `${scenario}.json`), 'utf8')) as BenchResultFile;
}

/** The four figures that must be zero, picked out so a failure prints them side by side. */
export function auditZeros(audit: AuditFigures): Record<string, number> {
  return { missing: audit.missing, oversold: audit.oversold, leakedHolds: audit.leakedHolds, duplicateOrders: audit.duplicateOrders };
}

export const allZero = { missing: 0, oversold: 0, leakedHolds: 0, duplicateOrders: 0 };
