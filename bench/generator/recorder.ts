// Counts and latencies of one generator process: one HdrHistogram per second for the time
// series, one per request kind for the whole run. Latencies are kept in microseconds.

import * as hdr from 'hdr-histogram-js';
import type { AckedOrder, Tick } from './protocol.ts';

/** Up to ten minutes, three significant digits: enough for any timeout the bench sets. */
export const latencyUsMax = 600_000_000;

export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: latencyUsMax, numberOfSignificantValueDigits: 3, autoResize: false });
}

function clampUs(latencyUs: number): number {
  return Math.min(Math.max(1, Math.round(latencyUs)), latencyUsMax);
}

export class Recorder {
  private second = newHistogram();
  private readonly byKind = new Map<string, hdr.Histogram>();
  private requests = 0;
  private orders = 0;
  private byStatus: Record<string, number> = {};
  private byType: Record<string, number> = {};
  private acks: AckedOrder[] = [];
  scheduleLagMsMax = 0;
  /** Off during a warm-up phase: its latencies count in the seconds, not in the per-kind figures. */
  recordingKinds = true;

  record(kind: string, statusKey: string, latencyUs: number, problemType: string | undefined): void {
    const value = clampUs(latencyUs);
    this.second.recordValue(value);
    this.requests++;
    this.byStatus[statusKey] = (this.byStatus[statusKey] ?? 0) + 1;
    if (problemType !== undefined) this.byType[problemType] = (this.byType[problemType] ?? 0) + 1;
    if (!this.recordingKinds) return;
    let histogram = this.byKind.get(kind);
    if (histogram === undefined) {
      histogram = newHistogram();
      this.byKind.set(kind, histogram);
    }
    histogram.recordValue(value);
  }

  acknowledge(ack: AckedOrder): void {
    this.orders++;
    this.acks.push(ack);
  }

  /** The second that just ended, and a fresh one for the next. */
  takeTick(base: Pick<Tick, 'workerIndex' | 'second' | 'phase' | 'outstanding' | 'cpuUs' | 'wallUs'>): Tick {
    const tick: Tick = {
      type: 'tick',
      ...base,
      requests: this.requests,
      byStatus: this.byStatus,
      byType: this.byType,
      histogram: hdr.encodeIntoCompressedBase64(this.second),
      orders: this.orders,
      acks: this.acks,
      scheduleLagMsMax: this.scheduleLagMsMax,
    };
    this.second.reset();
    this.requests = 0;
    this.orders = 0;
    this.byStatus = {};
    this.byType = {};
    this.acks = [];
    this.scheduleLagMsMax = 0;
    return tick;
  }

  encodedByKind(): Record<string, string> {
    const encoded: Record<string, string> = {};
    for (const [kind, histogram] of this.byKind) encoded[kind] = hdr.encodeIntoCompressedBase64(histogram);
    return encoded;
  }
}
