// The per-SKU machinery every stock operation shares: run a script on a SKU's slot, load the
// SKU from the system of record when Redis does not have it (first use, or Redis lost its
// data), end intents, and reload SKUs whose cached counters may have drifted ("dirty").

import { randomUUID } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';
import type { Store } from '../../core/ports.ts';
import { Cluster, type Redis } from 'ioredis';
import type { RedisLink } from './client.ts';
import { dirtyKey, scriptKeys, skuKeys, untag } from './keys.ts';
import type { SkuScriptName } from './scripts.ts';

export interface HotStockOptions {
  /** Prefix of every key, so several shops (or test runs) can share one Redis. */
  keyPrefix: string;
  /**
   * How long a SKU that Redis does not know waits before it is loaded from the store, so that
   * store writes which began before Redis lost its data land first and are counted.
   */
  reloadQuarantineMs: number;
  /** A loader that has not finished after this long is presumed dead; another takes over. */
  reloadLeaseMs: number;
  /** An intent older than this belongs to a writer presumed dead; a reload supersedes it. */
  intentLeaseMs: number;
  /** Longest an operation waits for its SKU to (re)load before answering 503. */
  loadWaitMs: number;
  /**
   * Longest the sweeper keeps a dirty SKU drained (no new sales) waiting for its intents to end;
   * then it gives up until the next sweep, so an intent whose writer died blocks no one for long.
   */
  drainWaitMs: number;
}

export const hotStockDefaults: HotStockOptions = {
  keyPrefix: 'peakcart',
  reloadQuarantineMs: 1_000,
  reloadLeaseMs: 10_000,
  intentLeaseMs: 10_000,
  loadWaitMs: 5_000,
  drainWaitMs: 1_000,
};

/** Most dirty SKUs one sweep reloads. */
export const dirtyReloadBatchMax = 20;

export type ScriptReply = Array<string | number>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function replyList(reply: unknown): ScriptReply {
  if (!Array.isArray(reply)) throw new Error(`a stock script answered ${JSON.stringify(reply)}, not a list`);
  return reply as ScriptReply;
}

export function int(value: string | number | undefined): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`a stock script answered '${String(value)}', not an integer`);
  return parsed;
}

export interface HotStock {
  readonly link: RedisLink;
  readonly options: HotStockOptions;
  keysOf(sku: string): string[];
  run(name: SkuScriptName, sku: string, args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Runs a script that answers 'notloaded' or 'loading' until the SKU is loaded; 503 after loadWaitMs. */
  runLoaded(name: SkuScriptName, sku: string, args: ReadonlyArray<string | number>, nowMs: number): Promise<ScriptReply>;
  /** Ends an intent; a missing one (Redis lost it) marks the SKU dirty. Never throws after a store write. */
  resolve(sku: string, intentId: string, outcome: 'ok' | 'fail', nowMs: number): Promise<void>;
  markDirty(skus: readonly string[]): Promise<void>;
  /** Reloads up to `max` dirty SKUs; returns how many were reloaded. */
  reloadDirty(nowMs: number, max: number): Promise<number>;
  newIntentId(kind: string): string;
}

export function createHotStock(link: RedisLink, inner: Store, options: HotStockOptions): HotStock {
  /** SKUs to mark dirty once Redis answers again. */
  const dirtyLater = new Set<string>();
  /** Intents whose ending failed (Redis was out) after the store answered: ended by the next sweep. */
  const settleLater = new Map<string, { sku: string; intentId: string; outcome: 'ok' | 'fail'; nowMs: number }>();

  const keysOf = (sku: string) => scriptKeys(skuKeys(options.keyPrefix, sku));
  const run = (name: SkuScriptName, sku: string, args: ReadonlyArray<string | number>) => link.sku(name, keysOf(sku), args);

  /**
   * Reloads one SKU's counters from the store. Returns true when this call finished a reload,
   * false when another loader has the SKU (the caller retries its operation).
   */
  async function reload(sku: string, nowMs: number, deadlineMs: number): Promise<boolean> {
    const token = randomUUID();
    for (;;) {
      if (Date.now() > deadlineMs) {
        await run('pcAbandonReload', sku, [token]).catch(() => undefined);
        throw new DomainError('overloaded', `The stock of ${sku} is being reloaded; retry shortly.`, { dependency: 'redis' });
      }
      const begun = replyList(await run('pcBeginReload', sku, [token, options.reloadQuarantineMs, options.reloadLeaseMs, options.intentLeaseMs]));
      if (begun[0] === 'busy') {
        await sleep(20);
        return false;
      }
      const live = int(begun[1]);
      const waitMs = int(begun[2]);
      if (live > 0 || waitMs > 0) {
        await sleep(Math.min(Math.max(waitMs, 5), 100));
        continue;
      }
      let onHand: number;
      let sold: number;
      try {
        const level = (await inner.stock.getLevels([sku], nowMs)).get(sku);
        onHand = level?.onHand ?? 0;
        sold = level?.sold ?? 0;
      } catch (error) {
        await run('pcAbandonReload', sku, [token]).catch(() => undefined);
        throw error;
      }
      const finished = await run('pcFinishReload', sku, [token, onHand, sold, options.intentLeaseMs]);
      if (finished === 'ok') return true;
      if (finished === 'lost') return false;
    }
  }

  async function markDirty(skus: readonly string[]): Promise<void> {
    if (skus.length === 0) return;
    try {
      await link.command((redis) => redis.sadd(dirtyKey(options.keyPrefix), ...skus));
    } catch {
      for (const sku of skus) dirtyLater.add(sku);
    }
  }

  /** run_id of each Redis node as last seen; a new one means the node restarted. */
  const runIds = new Map<string, string>();

  /**
   * A node that restarted came back from its AOF, which may miss its last second of writes. Its
   * SKUs are marked dirty, so the sweep reloads them from the store (cheap: one read per SKU).
   */
  async function markRestartedNodes(): Promise<void> {
    const connection = link.connection;
    const nodes: Redis[] = connection instanceof Cluster ? connection.nodes('master') : [connection];
    for (const node of nodes) {
      const address = `${node.options.host}:${node.options.port}`;
      const info = await link.command(() => node.info('server'));
      const runId = /run_id:(\w+)/.exec(info)?.[1];
      if (runId === undefined) continue;
      const seen = runIds.get(address);
      runIds.set(address, runId);
      if (seen === undefined || seen === runId) continue;
      let cursor = '0';
      do {
        const [next, keys] = await link.command(() => node.scan(cursor, 'MATCH', `${options.keyPrefix}:{*}:stock`, 'COUNT', 500));
        cursor = next;
        const skus = keys.map((key) => key.slice(options.keyPrefix.length + 2, -'}:stock'.length)).map(untag);
        await markDirty(skus);
      } while (cursor !== '0');
    }
  }

  async function settle(sku: string, intentId: string, outcome: 'ok' | 'fail', nowMs: number): Promise<void> {
    try {
      if ((await run('pcResolve', sku, [intentId, outcome, nowMs])) === 'missing') await markDirty([sku]);
      settleLater.delete(`${sku}\u0000${intentId}`);
    } catch {
      // The store has answered; the next sweep ends the intent (or a reload supersedes it).
      settleLater.set(`${sku}\u0000${intentId}`, { sku, intentId, outcome, nowMs });
    }
  }

  return {
    link,
    options,
    keysOf,
    run,

    async runLoaded(name, sku, args, nowMs) {
      const deadlineMs = Date.now() + options.loadWaitMs;
      for (;;) {
        const reply = replyList(await run(name, sku, args));
        if (reply[0] !== 'notloaded' && reply[0] !== 'loading') return reply;
        await reload(sku, nowMs, deadlineMs);
      }
    },

    resolve: settle,

    markDirty,

    async reloadDirty(nowMs, max) {
      for (const later of [...settleLater.values()]) await settle(later.sku, later.intentId, later.outcome, later.nowMs);
      if (dirtyLater.size > 0) {
        const later = [...dirtyLater];
        dirtyLater.clear();
        await markDirty(later);
      }
      await markRestartedNodes();
      const key = dirtyKey(options.keyPrefix);
      // SPOP claims the SKUs; one marked again while it reloads is popped by a later sweep.
      const skus = await link.command((redis) => redis.spop(key, max));
      let reloaded = 0;
      for (const sku of skus) {
        let done = false;
        try {
          done = await reload(sku, nowMs, Date.now() + options.reloadQuarantineMs + options.drainWaitMs).catch(() => false);
        } finally {
          if (!done) await markDirty([sku]);
        }
        if (done) reloaded += 1;
      }
      return reloaded;
    },

    newIntentId: (kind) => `${kind}:${randomUUID()}`,
  };
}
