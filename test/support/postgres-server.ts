// Test harness: a real PostgreSQL from the Debian binaries, in a temp directory, on a free
// loopback port, fsync on. As root it runs as the `postgres` system user (PostgreSQL refuses
// root). It is stopped by PID, also when a test fails; restart() keeps the data (fault tests).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export const postgresBinDir = process.env['PEAKCART_PG_BIN_DIR'] ?? '/usr/lib/postgresql/15/bin';
const startTimeoutMs = 30_000;

/** Why PostgreSQL tests cannot run here, or false. Under CI=true nothing may skip: the suite fails instead. */
export function postgresSkipReason(): string | false {
  if (existsSync(join(postgresBinDir, 'postgres')) && existsSync(join(postgresBinDir, 'initdb'))) return false;
  const reason = `PostgreSQL binaries not found in ${postgresBinDir}: apt-get install postgresql`;
  if (process.env['CI'] === 'true') throw new Error(reason);
  return reason;
}

export interface PostgresServer {
  /** postgres://… for the `peakcart` database (superuser, trust auth on loopback). */
  url: string;
  port: number;
  pid(): number | undefined;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server: 'fast' (SIGINT) aborts open transactions, disconnects clients and shuts
   * down cleanly; 'immediate' (SIGQUIT) ends every process at once, like a crash, and the next
   * start runs crash recovery from the WAL.
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** The command line, run as the postgres user when we are root. */
function command(binary: string, args: string[]): { file: string; args: string[] } {
  const path = join(postgresBinDir, binary);
  return asRoot ? { file: 'runuser', args: ['-u', 'postgres', '--', path, ...args] } : { file: path, args };
}

function runOrThrow(binary: string, args: string[]): void {
  const { file, args: fullArgs } = command(binary, args);
  const result = spawnSync(file, fullArgs, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${binary} failed (${result.status}): ${result.stderr || result.stdout}`);
}

export async function startPostgres(label = 'pg'): Promise<PostgresServer> {
  const reason = postgresSkipReason();
  if (reason !== false) throw new Error(reason);
  const root = mkdtempSync(join(tmpdir(), `peakcart-${label}-`));
  const dataDir = join(root, 'data');
  if (asRoot) {
    const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(root, Number(owner.stdout.trim()), Number(group.stdout.trim()));
  }
  runOrThrow('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions']);
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  async function start(): Promise<void> {
    const { file, args } = command('postgres', [
      '-D', dataDir, '-p', String(port), '-k', root,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=on',
      '-c', 'synchronous_commit=on',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=64MB',
      '-c', 'logging_collector=off',
    ]);
    const started = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const ready = spawnSync(join(postgresBinDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-t', '1'], { encoding: 'utf8' });
      if (ready.status === 0) break;
      if (started.exitCode !== null || Date.now() > deadline) {
        throw new Error(`PostgreSQL did not start on port ${port}:\n${output.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function psql(statement: string): Promise<void> {
    const result = spawnSync(join(postgresBinDir, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', statement], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  }

  async function stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    // The child may be runuser, so the postmaster is signalled by the PID in its own pid file.
    // (SIGKILL is not offered: the postmaster's children would outlive it and block a restart.)
    const pid = postmasterPid() ?? running.pid;
    if (pid !== undefined) process.kill(pid, mode === 'immediate' ? 'SIGQUIT' : 'SIGINT');
    await exited;
    child = undefined;
  }

  function postmasterPid(): number | undefined {
    let first: string;
    try {
      first = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '';
    } catch {
      return undefined;
    }
    const pid = Number(first.trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  }

  // Should this test process die without its after() hooks, PostgreSQL must not outlive it.
  const stopOnExit = () => {
    const pid = postmasterPid();
    try {
      if (pid !== undefined && child !== undefined) process.kill(pid, 'SIGQUIT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', stopOnExit);

  await start();
  try {
    await psql('CREATE DATABASE peakcart');
  } catch (error) {
    process.removeListener('exit', stopOnExit);
    await stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const base = `postgres://postgres@127.0.0.1:${port}`;
  return {
    url: `${base}/peakcart`,
    port,
    pid: () => child?.pid,
    async createDatabase(name) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await psql(`CREATE DATABASE ${name}`);
      return `${base}/${name}`;
    },
    stop,
    start,
    async destroy() {
      process.removeListener('exit', stopOnExit);
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
