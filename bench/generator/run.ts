// The parent side of the load generator: forks the generator processes, splits the load among
// them, merges their ticks into one time series, shows progress, and summarises the run.

import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type * as hdr from 'hdr-histogram-js';
import { progressLine, type Progress } from '../progress.ts';
import { addCounts, classOf, decodeInto, isOk, latencyOf, merged, spectrumOf, type LatencyMs } from '../stats.ts';
import { newHistogram } from './recorder.ts';
import { closedPhase, warmUpPhase, type AckedOrder, type Final, type Flow, type Job, type LoadModel, type ParentMessage, type Tick, type WorkerMessage } from './protocol.ts';
import { serverCpuUs } from './server-cpu.ts';
import { nodeArgsFrom } from '../node-args.ts';

export interface SecondStats {
  second: number;
  phase: string;
  requests: number;
  ok: number;
  orders: number;
  byClass: Record<string, number>;
  latencyMs: LatencyMs;
  generatorCpuPct: number;
  serverCpuPct: number | null;
}

export interface PhaseStats {
  name: string;
  durationS: number;
  targetRps: number | null;
  requests: number;
  throughputRps: number;
  ok: number;
  byClass: Record<string, number>;
  latencyMs: LatencyMs;
}

export interface RunResult {
  name: string;
  model: LoadModel;
  flowKind: Flow['kind'];
  connections: number;
  timeoutMs: number;
  startedAt: string;
  /** Epoch ms of the first request sent (the earliest generator's start). */
  firstRequestAtMs: number;
  /** Epoch ms when the measured load began, after any warm-up (firstRequestAtMs without one). */
  measuredFromAtMs: number;
  /** The measured load's wall time: requests, ok, errors, latency and throughput are of it alone. */
  durationS: number;
  requests: number;
  ok: number;
  errorsByStatus: Record<string, number>;
  errorsByType: Record<string, number>;
  throughputRps: number;
  orders: number;
  latencyMs: LatencyMs;
  latencyByKind: Record<string, LatencyMs & { count: number }>;
  spectrum: { percentile: number; ms: number }[];
  series: SecondStats[];
  phases: PhaseStats[];
  acks: AckedOrder[];
  shoppersStarted: number;
  generator: {
    workers: number;
    cpuPct: number;
    cpuPctMaxSecond: number;
    scheduleLagMsMax: number;
    dropped: number;
    hanging: number;
    warnings: string[];
  };
  serverCpuPct: number | null;
}

export interface LoadOptions {
  name: string;
  targetUrl: string;
  model: LoadModel;
  flow: Flow;
  workers: number;
  connections: number;
  timeoutMs: number;
  /** The server's pid when the bench started it, to sample its CPU next to the generator's. */
  serverPid?: number | undefined;
  /** Called after every merged second, e.g. to kill the server at a point of the sale. */
  onSecond?: (second: SecondStats, acksSoFar: readonly AckedOrder[]) => void;
  /** Called with every ack as soon as it arrives (the crash scenario watches the sale). */
  onAcks?: (acks: readonly AckedOrder[]) => void;
  quiet?: boolean;
}

const workerPath = join(import.meta.dirname, 'worker.ts');
// BENCH_GENERATOR_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof-gen" profiles the generator
// processes, as BENCH_SERVER_NODE_ARGS does the server (bench/server.ts).
const generatorNodeArgs = nodeArgsFrom('BENCH_GENERATOR_NODE_ARGS');

/** A generator process busier than this is the bottleneck, not the server. */
const saturatedCpuPct = 90;

/**
 * What to do about a generator process that may be the bottleneck. Another process helps only
 * where there are cores to spare: on the machine the server runs on, once the two together keep
 * its cores busy, a second process takes its CPU from the server (on the 2-core development box,
 * `ceiling` with two processes made 23,108-26,297 no-op requests a second against 31,694-34,468
 * with one).
 */
function saturationWarning(cpuPct: number, cpuPctMaxSecond: number, generatorPct: number, serverCpuPct: number | null, workers: number): string {
  const busy = `the generator used ${cpuPct.toFixed(0)}% of a core (peak second ${cpuPctMaxSecond.toFixed(0)}%): it may be the bottleneck, not the server`;
  const cores = availableParallelism();
  if (serverCpuPct === null || generatorPct + serverCpuPct < cores * saturatedCpuPct) return `${busy}; try --workers ${workers + 1}`;
  const machinePct = ((generatorPct + serverCpuPct) / cores).toFixed(0);
  return `${busy}; with the server it kept this machine's ${cores} cores ${machinePct}% busy, so another generator process would take its CPU from the server: for a figure bound by the server alone, run the generator on another machine (--target)`;
}

function splitEvenly(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function jobFor(options: LoadOptions, index: number): Job {
  const parts = options.workers;
  const model: LoadModel =
    options.model.kind === 'closed'
      ? { ...options.model, concurrency: splitEvenly(options.model.concurrency, parts, index) }
      : { ...options.model, outstandingMax: Math.ceil(options.model.outstandingMax / parts), phases: options.model.phases.map((phase) => ({ ...phase, ratePerS: phase.ratePerS / parts })) };
  const splitShopper = <F extends Flow>(flow: F): F =>
    flow.kind === 'shopper' ? { ...flow, shoppersMax: splitEvenly(flow.shoppersMax, parts, index) } : flow;
  const flow: Flow = options.flow.kind === 'mixed' ? { ...options.flow, shopper: splitShopper(options.flow.shopper) } : splitShopper(options.flow);
  return { targetUrl: options.targetUrl, workerIndex: index, model, flow, connections: Math.max(1, splitEvenly(options.connections, parts, index)), timeoutMs: options.timeoutMs };
}

function plannedDurationS(model: LoadModel): number | null {
  if (model.kind === 'closed') return model.durationMs >= 600_000 ? null : (model.durationMs + (model.warmUpMs ?? 0)) / 1000;
  return model.phases.reduce((sum, phase) => sum + phase.durationMs, 0) / 1000;
}

export async function runLoad(options: LoadOptions): Promise<RunResult> {
  const startedAtMs = Date.now();
  const children: ChildProcess[] = [];
  const seconds = new Map<number, { ticks: Tick[] }>();
  const finals: Final[] = [];
  const acks: AckedOrder[] = [];
  const series: SecondStats[] = [];
  const all = newHistogram();
  const byPhase = new Map<string, hdr.Histogram>();
  const errorsByStatus: Record<string, number> = {};
  const errorsByType: Record<string, number> = {};
  let requests = 0;
  let ok = 0;
  let orders = 0;
  let scheduleLagMsMax = 0;
  let cpuPctMaxSecond = 0;
  const serverPid = options.serverPid;
  let serverCpuBefore = serverPid === undefined ? null : serverCpuUs(serverPid);
  let serverCpuStart = serverCpuBefore;
  let serverWallBeforeMs = performance.now();
  const serverWallStartMs = serverWallBeforeMs;
  const planned = plannedDurationS(options.model);
  const progress: Progress = progressLine(options.name, options.quiet === true);

  const warmUpPhases = warmUpPhasesOf(options.model);

  const mergeSecond = (second: number, ticks: Tick[]) => {
    const histogram = newHistogram();
    const byClass: Record<string, number> = {};
    const secondErrorsByStatus: Record<string, number> = {};
    const secondErrorsByType: Record<string, number> = {};
    let secondRequests = 0;
    let secondOk = 0;
    let secondOrders = 0;
    let generatorCpuPct = 0;
    for (const tick of ticks) {
      decodeInto(histogram, tick.histogram);
      secondRequests += tick.requests;
      secondOrders += tick.orders;
      scheduleLagMsMax = Math.max(scheduleLagMsMax, tick.scheduleLagMsMax);
      generatorCpuPct = Math.max(generatorCpuPct, tick.wallUs > 0 ? (tick.cpuUs / tick.wallUs) * 100 : 0);
      for (const [statusKey, count] of Object.entries(tick.byStatus)) {
        byClass[classOf(statusKey)] = (byClass[classOf(statusKey)] ?? 0) + count;
        if (isOk(statusKey)) secondOk += count;
        else secondErrorsByStatus[statusKey] = (secondErrorsByStatus[statusKey] ?? 0) + count;
      }
      addCounts(secondErrorsByType, tick.byType);
    }
    const phaseName = ticks[0]?.phase ?? '';
    const phaseHistogram = byPhase.get(phaseName) ?? newHistogram();
    phaseHistogram.add(histogram);
    byPhase.set(phaseName, phaseHistogram);
    // A warm-up's seconds are in the series and its phase, but not in the run's figures.
    if (!warmUpPhases.has(phaseName)) {
      all.add(histogram);
      requests += secondRequests;
      ok += secondOk;
      orders += secondOrders;
      addCounts(errorsByStatus, secondErrorsByStatus);
      addCounts(errorsByType, secondErrorsByType);
    }
    cpuPctMaxSecond = Math.max(cpuPctMaxSecond, generatorCpuPct);
    let serverCpuPct: number | null = null;
    if (serverPid !== undefined && serverCpuBefore !== null) {
      const nowCpu = serverCpuUs(serverPid);
      const nowMs = performance.now();
      if (nowCpu !== null) serverCpuPct = Math.round(((nowCpu - serverCpuBefore) / ((nowMs - serverWallBeforeMs) * 1000)) * 1000) / 10;
      serverCpuBefore = nowCpu;
      serverWallBeforeMs = nowMs;
    }
    const stats: SecondStats = {
      second,
      phase: phaseName,
      requests: secondRequests,
      ok: secondOk,
      orders: secondOrders,
      byClass,
      latencyMs: latencyOf(histogram),
      generatorCpuPct: Math.round(generatorCpuPct * 10) / 10,
      serverCpuPct,
    };
    histogram.destroy();
    series.push(stats);
    const errors = secondRequests - secondOk - (byClass['409'] ?? 0);
    progress.update({ second, plannedS: planned, rps: secondRequests, p99Ms: stats.latencyMs.p99, errors, ordersPerS: secondOrders, phase: stats.phase });
    options.onSecond?.(stats, acks);
  };

  const onTick = (tick: Tick) => {
    if (tick.acks.length > 0) {
      acks.push(...tick.acks);
      options.onAcks?.(tick.acks);
    }
    const entry = seconds.get(tick.second) ?? { ticks: [] };
    entry.ticks.push(tick);
    seconds.set(tick.second, entry);
    // A second is complete once every generator reported it (or has already finished).
    const expected = options.workers - finals.length;
    if (entry.ticks.length >= expected) {
      seconds.delete(tick.second);
      mergeSecond(tick.second, entry.ticks);
    }
  };

  try {
    await Promise.all(
      Array.from({ length: options.workers }, (_, index) => {
        const child = fork(workerPath, [], { execArgv: [...generatorNodeArgs, '--disable-warning=ExperimentalWarning'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          child.on('message', (message: WorkerMessage) => {
            if (message.type === 'tick') onTick(message);
            else if (message.type === 'final') finals.push(message);
            else reject(new Error(`generator ${index} failed: ${message.message}`));
          });
          // 'close', not 'exit': a process may have exited before its last messages (the final
          // report among them) were read from the channel; 'close' waits for the channel too.
          child.once('close', (code) => {
            if (finals.some((final) => final.workerIndex === index)) resolve();
            else reject(new Error(`generator ${index} exited with ${code} before its report`));
          });
          const start: ParentMessage = { type: 'start', job: jobFor(options, index) };
          child.send(start);
        });
      }),
    );
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    progress.done();
  }
  // Seconds some generator never reported (it finished early) are merged as they are.
  for (const [second, entry] of [...seconds.entries()].sort((a, b) => a[0] - b[0])) mergeSecond(second, entry.ticks);
  series.sort((a, b) => a.second - b.second);

  const durationS = Math.max(...finals.map((final) => final.measuredWallUs / 1_000_000), 0.001);
  const byKind: Record<string, LatencyMs & { count: number }> = {};
  const kinds = new Set(finals.flatMap((final) => Object.keys(final.histograms)));
  for (const kind of kinds) {
    const histogram = merged(finals.flatMap((final) => (final.histograms[kind] === undefined ? [] : [final.histograms[kind]])));
    byKind[kind] = { ...latencyOf(histogram), count: histogram.totalCount };
    histogram.destroy();
  }
  const cpuPcts = finals.map((final) => (final.cpuUs / final.wallUs) * 100);
  const cpuPct = Math.max(0, ...cpuPcts);
  const dropped = finals.reduce((sum, final) => sum + final.dropped, 0);
  const hanging = finals.reduce((sum, final) => sum + final.hanging, 0);
  let serverCpuPct: number | null = null;
  if (serverPid !== undefined && serverCpuStart !== null) {
    const endCpu = serverCpuUs(serverPid);
    if (endCpu !== null) serverCpuPct = Math.round(((endCpu - serverCpuStart) / ((performance.now() - serverWallStartMs) * 1000)) * 1000) / 10;
  }
  serverCpuStart = null;
  const warnings: string[] = [];
  if (cpuPct >= saturatedCpuPct) warnings.push(saturationWarning(cpuPct, cpuPctMaxSecond, cpuPcts.reduce((sum, pct) => sum + pct, 0), serverCpuPct, options.workers));
  if (options.model.kind === 'open' && scheduleLagMsMax > 100) warnings.push(`the generator sent some requests up to ${scheduleLagMsMax.toFixed(0)} ms late (latency still counts from the scheduled time)`);
  if (dropped > 0) warnings.push(`${dropped} arrivals were not sent: ${options.model.kind === 'open' ? options.model.outstandingMax : 0} requests were already waiting`);
  if (hanging > 0) warnings.push(`${hanging} requests were still without an answer after the timeout`);
  for (const warning of warnings) console.warn(`  ! ${options.name}: ${warning}`);

  const result: RunResult = {
    name: options.name,
    model: options.model,
    flowKind: options.flow.kind,
    connections: options.connections,
    timeoutMs: options.timeoutMs,
    startedAt: new Date(startedAtMs).toISOString(),
    firstRequestAtMs: Math.min(...finals.map((final) => final.startedAtMs)),
    measuredFromAtMs: Math.min(...finals.map((final) => final.measuredFromAtMs)),
    durationS: Math.round(durationS * 1000) / 1000,
    requests,
    ok,
    errorsByStatus,
    errorsByType,
    throughputRps: Math.round((requests / durationS) * 10) / 10,
    orders,
    latencyMs: latencyOf(all),
    latencyByKind: byKind,
    spectrum: spectrumOf(all),
    series,
    phases: phasesOf(options.model, series, byPhase),
    acks,
    shoppersStarted: finals.reduce((sum, final) => sum + final.shoppersStarted, 0),
    generator: { workers: options.workers, cpuPct: Math.round(cpuPct * 10) / 10, cpuPctMaxSecond: Math.round(cpuPctMaxSecond * 10) / 10, scheduleLagMsMax: Math.round(scheduleLagMsMax), dropped, hanging, warnings },
    serverCpuPct,
  };
  all.destroy();
  for (const histogram of byPhase.values()) histogram.destroy();
  return result;
}

function warmUpPhasesOf(model: LoadModel): Set<string> {
  if (model.kind === 'closed') return new Set((model.warmUpMs ?? 0) > 0 ? [warmUpPhase] : []);
  return new Set(model.phases.filter((phase) => phase.warmUp === true).map((phase) => phase.name));
}

function phasesOf(model: LoadModel, series: SecondStats[], byPhase: Map<string, hdr.Histogram>): PhaseStats[] {
  const names = model.kind === 'open' ? model.phases.map((phase) => phase.name) : [...warmUpPhasesOf(model), closedPhase];
  return names.map((name) => {
    const seconds = series.filter((second) => second.phase === name);
    const target = model.kind === 'open' ? (model.phases.find((phase) => phase.name === name)?.ratePerS ?? null) : null;
    const byClass: Record<string, number> = {};
    for (const second of seconds) addCounts(byClass, second.byClass);
    const requests = seconds.reduce((sum, second) => sum + second.requests, 0);
    return {
      name,
      durationS: seconds.length,
      targetRps: target,
      requests,
      throughputRps: seconds.length === 0 ? 0 : Math.round((requests / seconds.length) * 10) / 10,
      ok: seconds.reduce((sum, second) => sum + second.ok, 0),
      byClass,
      latencyMs: latencyOf(byPhase.get(name) ?? newHistogram()),
    };
  });
}

