// The scale-out topology on one machine, from Debian's binaries: PostgreSQL, Redis, N peakcart
// instances and HAProxy in front, all on loopback with their data in temp directories. The
// cluster script, the scale-out benchmark and the fault tests all start it through here, so
// what a developer runs is what was tested.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startHaproxy, instanceStates, type RunningHaproxy } from '../test/support/haproxy.ts';
import { freePort } from '../test/support/free-port.ts';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server.ts';
import { startRedis, type RedisNode } from '../test/support/redis-server.ts';
import { startChildServer, tempDir, type ChildServer } from '../test/support/server.ts';

export interface ClusterOptions {
  instances: number;
  adminKey: string;
  /** Extra environment for every instance (policy, log level, admission limits). */
  env?: Record<string, string>;
  /** Without Redis the holds stay in PostgreSQL (for comparing the two). */
  redis?: boolean;
  /** HAProxy's port for shoppers; a free one when not given. */
  port?: number;
  /** Load the demo catalog (`peakcart seed`) once the instances are up. */
  seed?: boolean;
}

export interface ClusterInstance {
  name: string;
  port: number;
  /** The running process, or undefined while it is down. */
  server: ChildServer | undefined;
}

export interface LocalCluster {
  /** Where shoppers connect: HAProxy. */
  url: string;
  statsUrl: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  postgres: PostgresServer;
  redis: RedisNode | undefined;
  haproxy: RunningHaproxy;
  instances: ClusterInstance[];
  /** Kills instance `index` (SIGKILL: a crash; SIGTERM: a graceful drain). */
  stopInstance(index: number, signal: NodeJS.Signals): Promise<void>;
  /** Starts instance `index` again on its port; HAProxy's health check brings it back. */
  startInstance(index: number): Promise<void>;
  /** Resolves once HAProxy sees the instance in `state` (UP or DOWN). */
  waitForState(index: number, state: 'UP' | 'DOWN', timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

// Behind the LB an instance must stay in rotation-but-refusing long enough for two failed
// health checks (fastinter 250 ms after the first, inter 1 s): 2 s covers it with margin.
const drainMs = 2_000;

/** `peakcart seed` against the cluster's database, as an operator would run it. */
async function seedDemo(databaseUrl: string, redisUrl: string | undefined): Promise<void> {
  const cli = join(import.meta.dirname, '..', 'src/cli/main.ts');
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'seed'], {
      env: { ...process.env, PEAKCART_DATABASE_URL: databaseUrl, ...(redisUrl !== undefined ? { PEAKCART_REDIS_URL: redisUrl } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`peakcart seed failed (${code}):\n${output}`);
}

export async function startLocalCluster(options: ClusterOptions): Promise<LocalCluster> {
  const dir = tempDir('cluster');
  const cleanups: Array<() => Promise<void>> = [async () => dir.remove()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const postgres = await startPostgres('cluster-pg');
    cleanups.push(() => postgres.destroy());
    const redis = options.redis === false ? undefined : await startRedis({ persistence: 'aof' });
    if (redis !== undefined) cleanups.push(() => redis.stop());

    const instances: ClusterInstance[] = [];
    for (let n = 0; n < options.instances; n++) instances.push({ name: `api${n + 1}`, port: await freePort(), server: undefined });
    const envFor = (instance: ClusterInstance): Record<string, string> => ({
      PEAKCART_DATABASE_URL: postgres.url,
      ...(redis !== undefined ? { PEAKCART_REDIS_URL: redis.url } : {}),
      PEAKCART_ADMIN_KEY: options.adminKey,
      PEAKCART_DB: join(dir.path, instance.name, 'unused.db'),
      PEAKCART_DRAIN_MS: String(drainMs),
      PORT: String(instance.port),
      ...options.env,
    });
    const startInstance = async (index: number) => {
      const instance = instances[index];
      if (instance === undefined) throw new Error(`no instance ${index}`);
      instance.server = await startChildServer(envFor(instance));
    };
    cleanups.push(async () => {
      await Promise.all(instances.map((instance) => instance.server?.kill('SIGKILL')));
    });
    // The first instance migrates the database; the rest then start side by side.
    await startInstance(0);
    await Promise.all(instances.slice(1).map((_, n) => startInstance(n + 1)));

    if (options.seed === true) await seedDemo(postgres.url, redis?.url);

    const haproxy = await startHaproxy(instances.map((instance) => ({ name: instance.name, host: '127.0.0.1', port: instance.port })), options.port);
    cleanups.push(() => haproxy.stop());

    const waitForState = async (index: number, state: 'UP' | 'DOWN', timeoutMs: number) => {
      const name = instances[index]?.name ?? '';
      const deadline = Date.now() + timeoutMs;
      while (!((await instanceStates(haproxy)).get(name) ?? '').startsWith(state)) {
        if (Date.now() > deadline) throw new Error(`${name} did not turn ${state} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    for (let n = 0; n < instances.length; n++) await waitForState(n, 'UP', 15_000);

    return {
      url: haproxy.url,
      statsUrl: haproxy.statsUrl,
      databaseUrl: postgres.url,
      redisUrl: redis?.url,
      postgres,
      redis,
      haproxy,
      instances,
      async stopInstance(index, signal) {
        const instance = instances[index];
        if (instance?.server === undefined) return;
        await instance.server.kill(signal);
        instance.server = undefined;
      },
      startInstance,
      waitForState,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
