// Test harness: real redis-server processes from the Debian binary, on free loopback ports with
// their data in a temp directory, stopped by PID. One node, or a 3-node Redis Cluster created
// with `redis-cli --cluster create`. Without the binary the suites skip naming the package,
// except under CI=true, where a missing binary fails the run.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const redisServerBinary = '/usr/bin/redis-server';
export const redisCliBinary = '/usr/bin/redis-cli';
const startTimeoutMs = 15_000;

/** Why Redis suites cannot run here, or false. Under CI a missing binary is an error, not a skip. */
export function redisSkipReason(): string | false {
  if (existsSync(redisServerBinary) && existsSync(redisCliBinary)) return false;
  const reason = `redis-server is not installed (apt-get install redis-server)`;
  if (process.env['CI'] === 'true') throw new Error(`${reason}, and CI=true forbids skipping`);
  return reason;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A free loopback port whose cluster bus port (port + 10000) is free too. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair found');
}

async function waitForPing(port: number, deadlineMs: number): Promise<void> {
  for (;;) {
    const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // Not up yet.
    } finally {
      probe.disconnect();
    }
    if (Date.now() > deadlineMs) throw new Error(`redis-server on ${port} did not answer within ${startTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RedisNode {
  port: number;
  url: string;
  dir: string;
  pid(): number | undefined;
  /** Ends the process by PID: SIGKILL for a crash, SIGTERM for a clean stop. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory (its AOF, if any, is replayed). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

export interface RedisNodeOptions {
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  args?: string[];
  /** Persistence: the AOF settings peakcart requires, or none (a restart loses everything). */
  persistence?: 'aof' | 'none';
}

export async function startRedis(options: RedisNodeOptions = {}): Promise<RedisNode> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'peakcart-redis-'));
  const persistence = options.persistence ?? 'aof';
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', persistence === 'aof' ? 'yes' : 'no', '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--logfile', '',
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const started = spawn(redisServerBinary, args, { stdio: 'ignore' });
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    await waitForPing(port, Date.now() + startTimeoutMs);
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const running = child;
    if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    process.kill(running.pid, signal);
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child?.pid,
    kill,
    start,
    async stop() {
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  nodes: RedisNode[];
  /** redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3 */
  url: string;
  stop(): Promise<void>;
}

/** Three masters, no replicas, all 16384 slots assigned; resolves once the cluster state is ok. */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const nodes: RedisNode[] = [];
  try {
    for (let index = 0; index < size; index++) {
      nodes.push(await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }));
    }
    const create = spawnSync(redisCliBinary, ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    const deadlineMs = Date.now() + startTimeoutMs;
    for (const node of nodes) {
      for (;;) {
        const info = spawnSync(redisCliBinary, ['-p', String(node.port), 'cluster', 'info'], { encoding: 'utf8', timeout: 5_000 });
        if (info.stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadlineMs) throw new Error(`cluster node ${node.port} never reached cluster_state:ok:\n${info.stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
  return {
    nodes,
    url: `redis-cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
