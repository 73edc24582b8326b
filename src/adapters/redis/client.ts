// The connection to Redis (one node or a Cluster) and the scripts registered on it. Commands
// fail fast while Redis is unreachable (no offline queue), so a request answers 503 at once
// instead of hanging; ioredis keeps reconnecting in the background.

import { Cluster, Redis } from 'ioredis';
import { DomainError } from '../../core/errors.ts';
import { indexHoldSource, indexSweptSource, skuScriptSource, skuScripts, unlockSource, type SkuScriptName } from './scripts.ts';

export type RedisConnection = Redis | Cluster;

export interface RedisLinkOptions {
  /** redis://host:port[/db] for one node, redis-cluster://host:port[,host:port...] for a Cluster. */
  url: string;
  /** Longest a single command may take before it counts as an outage. */
  commandTimeoutMs?: number;
  /** Longest the first connection may take. */
  connectTimeoutMs?: number;
  /** Send the commands of concurrent requests together (default false: measured no clear gain on 2 cores). */
  autoPipelining?: boolean;
}

export const commandTimeoutMsDefault = 2_000;
export const connectTimeoutMsDefault = 5_000;
/** Longest pause between reconnection attempts. */
const reconnectDelayMsMax = 500;

type Reply = unknown;
type ScriptCall = (...args: Array<string | number>) => Promise<Reply>;

/** Node addresses of a redis-cluster:// URL. */
export function clusterNodes(url: string): Array<{ host: string; port: number }> {
  const list = url.slice('redis-cluster://'.length).split(/[,/]/).filter(Boolean);
  if (list.length === 0) throw new Error(`PEAKCART_REDIS_URL names no cluster node: '${url}'`);
  return list.map((entry) => {
    const at = entry.lastIndexOf(':');
    const port = Number(entry.slice(at + 1));
    if (at <= 0 || !Number.isSafeInteger(port) || port < 1 || port > 65_535) throw new Error(`not a host:port in PEAKCART_REDIS_URL: '${entry}'`);
    return { host: entry.slice(0, at), port };
  });
}

export function createConnection(options: RedisLinkOptions): RedisConnection {
  const commandTimeout = options.commandTimeoutMs ?? commandTimeoutMsDefault;
  const connectTimeout = options.connectTimeoutMs ?? connectTimeoutMsDefault;
  const retryStrategy = (times: number) => Math.min(times * 50, reconnectDelayMsMax);
  const enableAutoPipelining = options.autoPipelining ?? false;
  if (options.url.startsWith('redis-cluster://')) {
    return new Cluster(clusterNodes(options.url), {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      slotsRefreshTimeout: connectTimeout,
      redisOptions: { commandTimeout, connectTimeout, maxRetriesPerRequest: 1 },
      lazyConnect: true,
      enableAutoPipelining,
    });
  }
  if (!/^rediss?:\/\//.test(options.url)) throw new Error(`PEAKCART_REDIS_URL must start with redis:// or redis-cluster://, not '${options.url}'`);
  return new Redis(options.url, { enableOfflineQueue: false, commandTimeout, connectTimeout, maxRetriesPerRequest: 1, retryStrategy, lazyConnect: true, enableAutoPipelining });
}

/** Script errors are bugs (500); everything else from Redis is an outage (503, retry later). */
export function asOutage(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/user_script|Error running script|ERR .*script/i.test(message)) return error;
  return new DomainError('overloaded', 'Stock holds are unavailable for a moment (Redis); retry shortly.', { dependency: 'redis' });
}

export interface RedisLink {
  readonly connection: RedisConnection;
  /** Runs one stock script on the five keys of one SKU. */
  sku(name: SkuScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<Reply>;
  /** Runs one of the single-key helper scripts. */
  helper(name: 'pcIndexHold' | 'pcIndexSwept' | 'pcUnlock', key: string, args: ReadonlyArray<string | number>): Promise<Reply>;
  /** Any other command, with outages mapped. */
  command<T>(run: (connection: RedisConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createLink(connection: RedisConnection): RedisLink {
  for (const name of Object.keys(skuScripts) as SkuScriptName[]) {
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (a restarted Redis).
    connection.defineCommand(name, { numberOfKeys: 5, lua: skuScriptSource(name) });
  }
  connection.defineCommand('pcIndexHold', { numberOfKeys: 1, lua: indexHoldSource });
  connection.defineCommand('pcIndexSwept', { numberOfKeys: 1, lua: indexSweptSource });
  connection.defineCommand('pcUnlock', { numberOfKeys: 1, lua: unlockSource });
  // defineCommand adds methods at run time; ioredis cannot type them, so they are looked up by name.
  const scripts = connection as unknown as Record<string, ScriptCall>;

  async function mapped<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw asOutage(error);
    }
  }

  return {
    connection,
    sku: (name, keys, args) => mapped(() => scripts[name]!.call(connection, ...keys, ...args)),
    helper: (name, key, args) => mapped(() => scripts[name]!.call(connection, key, ...args)),
    command: (run) => mapped(() => run(connection)),
    async close() {
      try {
        await connection.quit();
      } catch {
        connection.disconnect();
      }
    },
  };
}

/** Connects, waiting at most the connect timeout for Redis to answer. */
export async function openLink(options: RedisLinkOptions): Promise<RedisLink> {
  const connection = createConnection(options);
  // An error before the first connect would otherwise be unhandled; outages surface per command.
  connection.on('error', () => undefined);
  try {
    await connection.connect();
    await connection.ping();
  } catch (error) {
    connection.disconnect();
    throw new Error(`cannot reach Redis at ${options.url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return createLink(connection);
}
