// CPU time of the server process, read from /proc on Linux, so the report can set the
// server's CPU next to the generator's. Elsewhere (or once the process is gone) it is null.

import { readFileSync } from 'node:fs';

const clockTicksPerS = 100;

export function serverCpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return null;
    return ((userTicks + systemTicks) / clockTicksPerS) * 1_000_000;
  } catch {
    return null;
  }
}
