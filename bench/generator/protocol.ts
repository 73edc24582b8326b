// What the bench parent and its generator processes say to each other over the fork IPC
// channel: a job goes out, a tick comes back every second, and one final report at the end.

/** A product the browse flow may ask for, read from the catalog before the run. */
export interface CatalogItem {
  slug: string;
  sku: string;
}

export interface BrowseFlow {
  kind: 'browse';
  items: CatalogItem[];
  categories: string[];
  /** Share of requests (0..1) that send If-None-Match when an ETag for the URL is known. */
  revalidateShare: number;
}

export interface ShopperFlow {
  kind: 'shopper';
  sku: string;
  /** Every shopper's Idempotency-Key and email derive from this, so runs never collide. */
  keyPrefix: string;
  /** Shoppers this worker runs at most (closed model); open-model arrivals end with the phases. */
  shoppersMax: number;
  /** Whether a shopper cut off (connection lost, 5xx, timeout) retries with the same key. */
  retryForMs: number;
  paymentToken: string;
}

export type Flow =
  | { kind: 'noop'; path: string }
  | BrowseFlow
  | ShopperFlow
  | { kind: 'mixed'; browse: BrowseFlow; shopper: ShopperFlow; shopperShare: number };

export interface OpenPhase {
  name: string;
  /** Arrivals per second for this worker: a request (noop, browse) or a shopper's visit. */
  ratePerS: number;
  durationMs: number;
  /**
   * A warm-up: its seconds are in the series, its orders are acknowledged and audited, but its
   * latencies stay out of the per-kind figures, which describe the steady load that follows on
   * the same connections and the same (by then compiled) generator.
   */
  warmUp?: boolean;
}

/** The name of a warm-up's seconds (the closed model's, and the open run's of the flash sale). */
export const warmUpPhase = 'warm-up';
/** The name of the closed model's measured seconds. */
export const closedPhase = 'closed';

export interface ClosedModel {
  kind: 'closed';
  concurrency: number;
  durationMs: number;
  /**
   * The same load first, in the same process on the same connections, for this many ms rounded
   * up to whole seconds (it ends on a tick), kept out of the run's figures; its orders are still
   * acknowledged and audited. Why a window needs one: BenchOptions.warmUpS.
   */
  warmUpMs?: number;
}

export type LoadModel =
  | ClosedModel
  | { kind: 'open'; phases: OpenPhase[]; outstandingMax: number };

export interface Job {
  targetUrl: string;
  workerIndex: number;
  model: LoadModel;
  flow: Flow;
  connections: number;
  /** A request without an answer by then is counted as a timeout, never left hanging. */
  timeoutMs: number;
}

/** An order the API answered with 2xx: the auditor checks every one is stored. */
export interface AckedOrder {
  orderId: string;
  key: string;
  email: string;
  atMs: number;
}

/** One second of load as one generator process saw it. */
export interface Tick {
  type: 'tick';
  workerIndex: number;
  /** Seconds since the run started (1 = the first second). */
  second: number;
  phase: string;
  requests: number;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
  /** Latencies of the requests that ended in this second, microseconds, encoded HdrHistogram. */
  histogram: string;
  orders: number;
  acks: AckedOrder[];
  outstanding: number;
  /** How late, at worst, the open-model scheduler sent a request this second. */
  scheduleLagMsMax: number;
  cpuUs: number;
  wallUs: number;
}

export interface Final {
  type: 'final';
  workerIndex: number;
  /** Per request kind (cart, add, checkout, list, ...): the whole run, encoded HdrHistogram. */
  histograms: Record<string, string>;
  shoppersStarted: number;
  /** Epoch ms when this process began sending. */
  startedAtMs: number;
  /** Epoch ms when its measured load began: the end of its warm-up, or startedAtMs without one. */
  measuredFromAtMs: number;
  /** Wall time from measuredFromAtMs to the end, in microseconds. */
  measuredWallUs: number;
  /** Requests still without an answer after the grace period: must be 0. */
  hanging: number;
  /** Open-model arrivals not sent because outstanding requests hit outstandingMax. */
  dropped: number;
  cpuUs: number;
  wallUs: number;
}

export type WorkerMessage = Tick | Final | { type: 'error'; message: string };
export type ParentMessage = { type: 'start'; job: Job } | { type: 'stop' };
