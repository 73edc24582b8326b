// The live progress line: rewritten in place on a terminal, a sparse line every few seconds
// when stdout is a file or a CI log.

export interface ProgressUpdate {
  second: number;
  plannedS: number | null;
  phase: string;
  rps: number;
  p99Ms: number;
  errors: number;
  ordersPerS: number;
}

export interface Progress {
  update(update: ProgressUpdate): void;
  done(): void;
}

const sparseEveryS = 5;

export function progressLine(name: string, quiet: boolean): Progress {
  const tty = process.stdout.isTTY === true;
  let written = false;
  return {
    update(update) {
      if (quiet) return;
      const left = update.plannedS === null ? '' : `  ${Math.max(0, Math.round(update.plannedS - update.second))}s left`;
      const orders = update.ordersPerS > 0 ? `  ${update.ordersPerS} orders/s` : '';
      const phase = update.phase && update.phase !== 'closed' ? ` ${update.phase}` : '';
      const line = `  ${name}${phase} ${update.second}s  ${update.rps} req/s  p99 ${update.p99Ms.toFixed(1)} ms${orders}  errors ${update.errors}${left}`;
      if (tty) {
        process.stdout.write(`\r\x1b[2K${line}`);
        written = true;
      } else if (update.second % sparseEveryS === 0) {
        process.stdout.write(`${line}\n`);
      }
    },
    done() {
      if (tty && written) process.stdout.write('\r\x1b[2K');
    },
  };
}
