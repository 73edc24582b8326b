// Latency summaries from HdrHistograms (recorded in microseconds, reported in milliseconds) and
// the status classes the report groups answers into.

import * as hdr from 'hdr-histogram-js';
import { newHistogram } from './generator/recorder.ts';

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function latencyOf(histogram: hdr.Histogram): LatencyMs {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const at = (percentile: number) => round(histogram.getValueAtPercentile(percentile) / 1000);
  return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: round(histogram.maxValue / 1000) };
}

/** Latency at percentiles spaced for the classic HdrHistogram plot (log of 1 / (1 - p)). */
export function spectrumOf(histogram: hdr.Histogram): { percentile: number; ms: number }[] {
  if (histogram.totalCount === 0) return [];
  const points: { percentile: number; ms: number }[] = [];
  for (const percentile of [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100]) {
    points.push({ percentile, ms: round(histogram.getValueAtPercentile(percentile) / 1000) });
  }
  return points;
}

export function decodeInto(target: hdr.Histogram, encoded: string): void {
  const decoded = hdr.decodeFromCompressedBase64(encoded);
  target.add(decoded);
  decoded.destroy();
}

export function merged(encoded: readonly string[]): hdr.Histogram {
  const histogram = newHistogram();
  for (const one of encoded) decodeInto(histogram, one);
  return histogram;
}

/** The classes the report colours: what a shopper saw, in a few words. */
export const statusClasses = ['2xx', '304', '409', '4xx', '429', '503', '5xx', 'timeout', 'conn-error'] as const;
export type StatusClass = (typeof statusClasses)[number];

export function classOf(statusKey: string): StatusClass {
  if (statusKey === 'timeout' || statusKey === 'conn-error') return statusKey;
  const status = Number(statusKey);
  if (status === 304 || status === 409 || status === 429 || status === 503) return String(status) as StatusClass;
  if (status >= 200 && status < 400) return '2xx';
  if (status >= 400 && status < 500) return '4xx';
  return '5xx';
}

export function addCounts(target: Record<string, number>, more: Record<string, number>): void {
  for (const [key, count] of Object.entries(more)) target[key] = (target[key] ?? 0) + count;
}

export function isOk(statusKey: string): boolean {
  const status = Number(statusKey);
  return status >= 200 && status < 400;
}
