// A load generator process, forked by the bench so that its CPU is never the server's. It
// takes one job over IPC, drives the load (closed: N shoppers back to back; open: arrivals on
// a schedule that does not wait for the server), reports every second, and exits.

import { Pool } from 'undici';
import { sessionsOf, type Session } from './flows.ts';
import { closedPhase, warmUpPhase, type Final, type Job, type LoadModel, type ParentMessage, type WorkerMessage } from './protocol.ts';
import { Recorder } from './recorder.ts';

/** How long, after the load ends, requests get to finish before they count as hanging. */
const drainGraceMs = 2_000;

function post(message: WorkerMessage): void {
  process.send?.(message);
}

/** Sends the last message and resolves once it has left, so a disconnect cannot overtake it. */
function postLast(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

async function run(job: Job): Promise<void> {
  const pool = new Pool(job.targetUrl, {
    connections: job.connections,
    pipelining: 1,
    headersTimeout: job.timeoutMs,
    bodyTimeout: job.timeoutMs,
    connectTimeout: Math.min(job.timeoutMs, 10_000),
    keepAliveTimeout: 30_000,
  });
  const recorder = new Recorder();
  let stopping = false;
  let outstanding = 0;
  let dropped = 0;
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') stopping = true;
  });
  const context = { pool, recorder, workerIndex: job.workerIndex, isStopping: () => stopping };
  const sessions = sessionsOf(context, job.flow);

  const model = job.model;
  const startedAtMs = performance.now();
  const startedAtEpochMs = Date.now();
  const closedWarmUpTicks = model.kind === 'closed' ? Math.ceil((model.warmUpMs ?? 0) / 1000) : 0;
  let phase = model.kind === 'open' ? (model.phases[0]?.name ?? 'open') : closedWarmUpTicks > 0 ? warmUpPhase : closedPhase;
  let measuredFromMs: number | undefined;
  let closedEndMs = model.kind === 'closed' && closedWarmUpTicks === 0 ? startedAtMs + model.durationMs : Number.POSITIVE_INFINITY;
  const enterPhase = (name: string, warmUp: boolean) => {
    phase = name;
    recorder.recordingKinds = !warmUp;
    if (!warmUp && measuredFromMs === undefined) measuredFromMs = performance.now();
  };
  // The open model enters each of its phases as it drives them.
  if (model.kind === 'closed') enterPhase(phase, phase === warmUpPhase);

  let second = 0;
  let cpuBefore = process.cpuUsage();
  let wallBeforeMs = performance.now();
  const tick = () => {
    const cpu = process.cpuUsage(cpuBefore);
    const nowMs = performance.now();
    second++;
    post(recorder.takeTick({ workerIndex: job.workerIndex, second, phase, outstanding, cpuUs: cpu.user + cpu.system, wallUs: (nowMs - wallBeforeMs) * 1000 }));
    cpuBefore = process.cpuUsage();
    wallBeforeMs = nowMs;
    // The closed warm-up ends on a tick, so that every second of the series is all one phase.
    if (model.kind === 'closed' && phase === warmUpPhase && second >= closedWarmUpTicks) {
      enterPhase(closedPhase, false);
      closedEndMs = nowMs + model.durationMs;
    }
  };
  const ticker = setInterval(tick, 1_000);

  const track = (session: Session, startMs: number): Promise<void> => {
    outstanding++;
    return session(startMs).finally(() => outstanding--);
  };

  await drive(model, {
    next: sessions.next,
    track,
    isStopping: () => stopping,
    closedEndMs: () => closedEndMs,
    enterPhase,
    noteLag: (lagMs) => {
      if (lagMs > recorder.scheduleLagMsMax) recorder.scheduleLagMsMax = lagMs;
    },
    noteDrop: () => dropped++,
    outstanding: () => outstanding,
  });

  const drainUntilMs = performance.now() + job.timeoutMs + drainGraceMs;
  while (outstanding > 0 && performance.now() < drainUntilMs) await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  tick();
  const cpuTotal = process.cpuUsage();
  const endedAtMs = performance.now();
  const final: Final = {
    type: 'final',
    workerIndex: job.workerIndex,
    histograms: recorder.encodedByKind(),
    shoppersStarted: sessions.shoppersStarted(),
    startedAtMs: startedAtEpochMs,
    measuredFromAtMs: startedAtEpochMs + ((measuredFromMs ?? endedAtMs) - startedAtMs),
    measuredWallUs: (endedAtMs - (measuredFromMs ?? endedAtMs)) * 1000,
    hanging: outstanding,
    dropped,
    cpuUs: cpuTotal.user + cpuTotal.system,
    wallUs: (endedAtMs - startedAtMs) * 1000,
  };
  await postLast(final);
  await pool.destroy();
}

interface Driver {
  next(): Session | undefined;
  track(session: Session, startMs: number): Promise<void>;
  isStopping(): boolean;
  /** When the closed model's shoppers stop starting new visits; moves once its warm-up ends. */
  closedEndMs(): number;
  enterPhase(name: string, warmUp: boolean): void;
  noteLag(lagMs: number): void;
  noteDrop(): void;
  outstanding(): number;
}

async function drive(model: LoadModel, driver: Driver): Promise<void> {
  if (model.kind === 'closed') {
    const shopper = async () => {
      while (!driver.isStopping() && performance.now() < driver.closedEndMs()) {
        const session = driver.next();
        if (session === undefined) return;
        await driver.track(session, performance.now());
      }
    };
    await Promise.all(Array.from({ length: model.concurrency }, shopper));
    return;
  }
  // Open model: arrival i of a phase is due at phaseStart + i / rate, whatever the server does.
  for (const phase of model.phases) {
    driver.enterPhase(phase.name, phase.warmUp ?? false);
    const phaseStartMs = performance.now();
    const intervalMs = 1000 / phase.ratePerS;
    let sent = 0;
    for (;;) {
      if (driver.isStopping()) return;
      const nowMs = performance.now();
      const elapsedMs = nowMs - phaseStartMs;
      if (elapsedMs >= phase.durationMs) break;
      const due = Math.min(Math.floor(elapsedMs / intervalMs) + 1, Math.ceil(phase.durationMs / intervalMs));
      while (sent < due) {
        const dueAtMs = phaseStartMs + sent * intervalMs;
        sent++;
        driver.noteLag(nowMs - dueAtMs);
        if (driver.outstanding() >= model.outstandingMax) {
          driver.noteDrop();
          continue;
        }
        const session = driver.next();
        if (session === undefined) continue;
        void driver.track(session, dueAtMs);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

process.once('message', (message: ParentMessage) => {
  if (message.type !== 'start') return;
  run(message.job).then(
    () => process.disconnect?.(),
    (error: unknown) => {
      post({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
});
