// HAProxy from Debian's binary in front of peakcart instances, on loopback, with the same
// configuration generator as deploy/haproxy.cfg. Started in the foreground (-db) so it is our
// child and stops by PID.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haproxyConfig, type HaproxyInstance } from '../../deploy/haproxy-config.ts';
import { freePort } from './free-port.ts';
import { tempDir } from './server.ts';

export const haproxyBinary = '/usr/sbin/haproxy';

/** Why the HAProxy suites cannot run here, or undefined when they can. */
export function haproxyMissing(): string | undefined {
  return existsSync(haproxyBinary) ? undefined : 'needs HAProxy: apt-get install haproxy';
}

export interface RunningHaproxy {
  url: string;
  statsUrl: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `port` is where shoppers connect (a free one when not given). */
export async function startHaproxy(instances: HaproxyInstance[], port?: number): Promise<RunningHaproxy> {
  const dir = tempDir('haproxy');
  const [bindPort, statsPort] = [port ?? (await freePort()), await freePort()];
  const configPath = join(dir.path, 'haproxy.cfg');
  writeFileSync(configPath, haproxyConfig({ bind: { host: '127.0.0.1', port: bindPort }, instances, statsPort }));
  const check = spawnSync(haproxyBinary, ['-c', '-q', '-f', configPath], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy refused its configuration:\n${check.stderr}`);

  const child = spawn(haproxyBinary, ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${bindPort}`;
  const statsUrl = `http://127.0.0.1:${statsPort}`;

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
    try {
      await fetch(statsUrl);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`haproxy did not listen:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    statsUrl,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      dir.remove();
    },
  };
}

/** The state HAProxy's health checks give each instance (UP, DOWN, ...), from its CSV stats. */
export async function instanceStates(haproxy: RunningHaproxy): Promise<Map<string, string>> {
  const csv = await (await fetch(`${haproxy.statsUrl}/;csv`)).text();
  const states = new Map<string, string>();
  for (const line of csv.split('\n')) {
    const [proxy, server, ...fields] = line.split(',');
    if (proxy !== 'peakcart' || server === undefined || server === 'BACKEND' || server === 'FRONTEND') continue;
    // Column 18 of HAProxy's CSV is `status`; proxy and server were the first two.
    states.set(server, fields[15] ?? '');
  }
  return states;
}
