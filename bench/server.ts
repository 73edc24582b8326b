// The server under test when the bench starts its own: `peakcart serve` (embedded default) as
// a child process on a temporary data dir and a fixed loopback port, so that a crash run can
// kill -9 it and start it again on the same data and the same URL.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArgsFrom } from './node-args.ts';

const projectRoot = join(import.meta.dirname, '..');
const startTimeoutMs = 60_000;

export interface BenchServer {
  url: string;
  adminKey: string;
  dataDir: string;
  /** The configuration the bench chose (admission limits, TTLs); recorded in the results. */
  env: Record<string, string>;
  pid(): number | undefined;
  /** A crash: SIGKILL, no chance to finish anything. */
  kill9(): Promise<void>;
  /** Starts `peakcart serve` again on the same data dir and port. */
  restart(): Promise<void>;
  /** Graceful stop, then the data dir is removed. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function spawnServe(env: Record<string, string>, seed: boolean): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server alone.
  const nodeArgs = nodeArgsFrom('BENCH_SERVER_NODE_ARGS');
  const child = spawn(process.execPath, [...nodeArgs, '--disable-warning=ExperimentalWarning', join(projectRoot, 'src/cli/main.ts'), 'serve', ...(seed ? ['--seed-if-empty'] : [])], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 20_000) output = output.slice(-10_000);
      if (/serving on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
        clearTimeout(deadline);
        child.stdout?.off('data', onData);
        // Keep draining its pipes so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        resolve({ child, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(() => {
      clearTimeout(deadline);
      reject(new Error(`the server exited before it served:\n${output}`));
    });
  });
}

export async function startBenchServer(options: { env?: Record<string, string>; seed?: boolean }): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peakcart-bench-'));
  const port = await freePort();
  const adminKey = `bench-${randomUUID()}`;
  const env: Record<string, string> = {
    PEAKCART_DB: join(dataDir, 'peakcart.db'),
    HOST: '127.0.0.1',
    PORT: String(port),
    PEAKCART_LOG_LEVEL: 'warn',
    ...options.env,
  };
  let running: { child: ChildProcess; exited: Promise<void> } | undefined;
  const start = async (seed: boolean) => {
    running = await spawnServe({ ...env, PEAKCART_ADMIN_KEY: adminKey }, seed);
  };
  try {
    await start(options.seed === true);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const end = async (signal: NodeJS.Signals) => {
    const current = running;
    running = undefined;
    if (current === undefined || current.child.exitCode !== null || current.child.signalCode !== null) return;
    current.child.kill(signal);
    await current.exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    adminKey,
    dataDir,
    env,
    pid: () => running?.child.pid,
    kill9: () => end('SIGKILL'),
    restart: () => start(false),
    async stop() {
      const current = running;
      const forced = setTimeout(() => current?.child.kill('SIGKILL'), 15_000);
      await end('SIGTERM');
      clearTimeout(forced);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
