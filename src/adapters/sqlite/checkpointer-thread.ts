// The checkpointer thread (checkpoints.ts): its own connection to the file, a pass every
// checkpointIntervalMs, and nothing else. A pass blocks this thread for its copy and fsync,
// which is the point: neither the event loop nor the writer waits for them.

import { parentPort, workerData } from 'node:worker_threads';
import { checkpointIntervalMs, checkpointPass } from './checkpoints.ts';
import { openDatabase } from './connection.ts';
import type { CheckpointerData, FromCheckpointer, ToCheckpointer } from './writer-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('checkpointer-thread.ts runs as a worker thread');
const data = workerData as CheckpointerData;
// After the writer opened and migrated the file, so the WAL mode is set already.
const db = openDatabase(data.path);
let timer: NodeJS.Timeout | undefined;

const pass = () => {
  const result = checkpointPass(db);
  port.postMessage({ kind: 'pass', ...result } satisfies FromCheckpointer);
  timer = setTimeout(pass, data.intervalMs ?? checkpointIntervalMs);
};

// With its timer cleared and its port closed the thread has nothing left and exits, which is
// what close() in threaded-store.ts waits for.
port.on('message', (message: ToCheckpointer) => {
  if (message.kind !== 'close') return;
  clearTimeout(timer);
  db.close();
  port.close();
});
timer = setTimeout(pass, data.intervalMs ?? checkpointIntervalMs);
