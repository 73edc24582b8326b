// The SQLite writer thread: it owns the file's only writing connection and runs every write of
// the shop there, group-committed as in one thread. node:sqlite is synchronous, so a COMMIT's
// fsync blocks the thread that runs it; here that is this thread, not the event loop serving
// HTTP. A reply leaves only once the batcher has settled the write, i.e. after COMMIT.

import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore, type SqliteStore } from './store.ts';
import { compactCommit, sendError, type FromWriter, type Reply, type ToWriter, type WriteCall, type WriterData } from './writer-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('writer-thread.ts runs as a worker thread');
const data = workerData as WriterData;

/** Runs the named write of the store (no function made per call: this is every write's path). */
function invoke(store: SqliteStore, call: WriteCall): Promise<unknown> {
  // The areas are plain objects of async methods; the caller named one from writerMethods.
  const area = store[call.area] as unknown as Record<string, unknown>;
  const method = area[call.method];
  if (typeof method !== 'function') throw new Error(`no write method ${call.area}.${call.method}`);
  const pending = (method as (...args: unknown[]) => Promise<unknown>).apply(area, call.args);
  // The one reply sent smaller than the store made it; threaded-store.ts makes it whole again.
  if (call.area === 'orders' && call.method === 'commitOrder') return (pending as ReturnType<SqliteStore['orders']['commitOrder']>).then(compactCommit);
  return pending;
}

async function serve(): Promise<void> {
  let store: SqliteStore;
  try {
    // The threaded store starts a checkpointer beside every writer thread (checkpoints.ts).
    store = await openSqliteStore({ path: data.path, migrate: data.migrate, checkpointBeside: true, gather: data.gather, ...(data.batchMaxOps === undefined ? {} : { batchMaxOps: data.batchMaxOps }) });
  } catch (error) {
    const failed: FromWriter = { kind: 'failed', error: sendError(error) };
    port?.postMessage(failed);
    return;
  }

  let replies: Reply[] = [];
  let scheduled = false;
  // Replies of one turn go back in one message: a batch of 200 writes is one postMessage.
  const flush = () => {
    scheduled = false;
    const stats = { ...store.stats };
    const sent = replies;
    replies = [];
    try {
      port?.postMessage({ kind: 'replies', replies: sent, stats } satisfies FromWriter);
    } catch {
      // A value that cannot be cloned fails its own call, not the whole batch.
      for (const answer of sent) {
        try {
          port?.postMessage({ kind: 'replies', replies: [answer], stats } satisfies FromWriter);
        } catch (error) {
          port?.postMessage({ kind: 'replies', replies: [{ id: answer.id, ok: false, error: sendError(error) }], stats } satisfies FromWriter);
        }
      }
    }
  };
  const reply = (answer: Reply) => {
    replies.push(answer);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  port?.on('message', (message: ToWriter) => {
    if (message.kind === 'close') {
      void store.close().then(() => {
        if (scheduled) flush();
        const closed: FromWriter = { kind: 'closed' };
        port.postMessage(closed);
        port.close();
      });
      return;
    }
    for (const call of message.calls) {
      let pending: Promise<unknown>;
      try {
        pending = invoke(store, call);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => reply({ id: call.id, ok: true, value }),
        (error: unknown) => reply({ id: call.id, ok: false, error: sendError(error) }),
      );
    }
  });
  const ready: FromWriter = { kind: 'ready' };
  port?.postMessage(ready);
}

void serve();
