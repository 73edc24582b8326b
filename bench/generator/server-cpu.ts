// CPU time of a process or thread, read from /proc on Linux, so the report can set the server's
// CPU next to the generator's. Elsewhere (or once the process is gone) it is null.

import { readFileSync } from 'node:fs';

const clockTicksPerS = 100;

/** The command name and user + system CPU of one /proc stat file (a process's or a thread's). */
export function procStat(path: string): { name: string; cpuUs: number } | null {
  try {
    const stat = readFileSync(path, 'utf8');
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return null;
    return { name: stat.slice(stat.indexOf('(') + 1, close), cpuUs: ((userTicks + systemTicks) / clockTicksPerS) * 1_000_000 };
  } catch {
    return null;
  }
}

export function serverCpuUs(pid: number): number | null {
  return procStat(`/proc/${pid}/stat`)?.cpuUs ?? null;
}
