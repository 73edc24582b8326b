// Test harness: a real peakcart server on a real SQLite file in a temp directory, either in
// this process (fast) or as a child process (for kill -9). Both listen on 127.0.0.1 only.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/runtime/config.ts';
import { startServer, type RunningServer } from '../../src/runtime/node.ts';

export const adminKey = 'test-admin-key';

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `peakcart-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestServer {
  url: string;
  server: RunningServer;
  stop(): Promise<void>;
}

/** An in-process server; `env` overrides configuration like the real environment would. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = tempDir('http');
  const config = loadConfig({
    PEAKCART_DB: join(dir.path, 'peakcart.db'),
    PEAKCART_ADMIN_KEY: adminKey,
    PORT: '0',
    PEAKCART_LOG_LEVEL: 'warn',
    ...env,
  });
  const server = await startServer(config);
  return {
    url: server.url,
    server,
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  output(): string;
  /** Ends the process: SIGKILL for a crash, SIGTERM for a graceful stop. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

const projectRoot = join(import.meta.dirname, '..', '..');

/** `peakcart serve` as a child process on a free port; resolves once it answers /healthz. */
export async function startChildServer(env: Record<string, string>, args: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(projectRoot, 'src/cli/main.ts'), 'serve', ...args], {
    env: { ...process.env, PEAKCART_ADMIN_KEY: adminKey, HOST: '127.0.0.1', PORT: '0', PEAKCART_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const look = () => {
      const match = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(deadline);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', look);
    void exited.then(() => {
      clearTimeout(deadline);
      reject(new Error(`server exited before it served:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    output: () => output,
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
