// A load generator process, forked by the bench so that its CPU is never the server's. It
// takes one job over IPC, drives the load (closed: N shoppers back to back; open: arrivals on
// a schedule that does not wait for the server), reports every second, and exits.

import { Pool } from 'undici';
import { sessionsOf, type Session } from './flows.ts';
import type { Final, Job, LoadModel, ParentMessage, WorkerMessage } from './protocol.ts';
import { Recorder } from './recorder.ts';

/** How long, after the load ends, requests get to finish before they count as hanging. */
const drainGraceMs = 2_000;

function post(message: WorkerMessage): void {
  process.send?.(message);
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
  let phase = job.model.kind === 'open' ? (job.model.phases[0]?.name ?? 'open') : 'closed';
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') stopping = true;
  });
  const context = { pool, recorder, workerIndex: job.workerIndex, isStopping: () => stopping };
  const sessions = sessionsOf(context, job.flow);

  const startedAtMs = performance.now();
  const startedAtEpochMs = Date.now();
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
  };
  const ticker = setInterval(tick, 1_000);

  const track = (session: Session, startMs: number): Promise<void> => {
    outstanding++;
    return session(startMs).finally(() => outstanding--);
  };

  await drive(job.model, sessions.next, track, () => stopping, (name, warmUp) => {
    phase = name;
    recorder.recordingKinds = !warmUp;
  }, (lagMs) => {
    if (lagMs > recorder.scheduleLagMsMax) recorder.scheduleLagMsMax = lagMs;
  }, () => dropped++, () => outstanding);

  const drainUntilMs = performance.now() + job.timeoutMs + drainGraceMs;
  while (outstanding > 0 && performance.now() < drainUntilMs) await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  tick();
  const cpuTotal = process.cpuUsage();
  const final: Final = {
    type: 'final',
    workerIndex: job.workerIndex,
    histograms: recorder.encodedByKind(),
    shoppersStarted: sessions.shoppersStarted(),
    startedAtMs: startedAtEpochMs,
    hanging: outstanding,
    dropped,
    cpuUs: cpuTotal.user + cpuTotal.system,
    wallUs: (performance.now() - startedAtMs) * 1000,
  };
  post(final);
  await pool.destroy();
}

async function drive(
  model: LoadModel,
  next: () => Session | undefined,
  track: (session: Session, startMs: number) => Promise<void>,
  isStopping: () => boolean,
  enterPhase: (name: string, warmUp: boolean) => void,
  noteLag: (lagMs: number) => void,
  noteDrop: () => void,
  outstanding: () => number,
): Promise<void> {
  if (model.kind === 'closed') {
    const endMs = performance.now() + model.durationMs;
    const shopper = async () => {
      while (!isStopping() && performance.now() < endMs) {
        const session = next();
        if (session === undefined) return;
        await track(session, performance.now());
      }
    };
    await Promise.all(Array.from({ length: model.concurrency }, shopper));
    return;
  }
  // Open model: arrival i of a phase is due at phaseStart + i / rate, whatever the server does.
  for (const phase of model.phases) {
    enterPhase(phase.name, phase.warmUp ?? false);
    const phaseStartMs = performance.now();
    const intervalMs = 1000 / phase.ratePerS;
    let sent = 0;
    for (;;) {
      if (isStopping()) return;
      const nowMs = performance.now();
      const elapsedMs = nowMs - phaseStartMs;
      if (elapsedMs >= phase.durationMs) break;
      const due = Math.min(Math.floor(elapsedMs / intervalMs) + 1, Math.ceil(phase.durationMs / intervalMs));
      while (sent < due) {
        const dueAtMs = phaseStartMs + sent * intervalMs;
        sent++;
        noteLag(nowMs - dueAtMs);
        if (outstanding() >= model.outstandingMax) {
          noteDrop();
          continue;
        }
        const session = next();
        if (session === undefined) continue;
        void track(session, dueAtMs);
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
