// The embedded store with its writes on a thread of their own. The event loop keeps a
// read-only connection (reads, the catalog caches) and hands every write, and the cart read,
// to the writer thread, which group-commits the writes on the file's one writing connection.
// A cart this process wrote is read back from the cache of what it committed (cart-cache.ts).
// So the fsync of each COMMIT and the SQL of the writes no longer stop HTTP, and the writes
// use the machine's second core.
// Same file, same transactions, same durability: a write's promise settles after its COMMIT.

import { Worker } from 'node:worker_threads';
import { DomainError } from '../../core/errors.ts';
import type { Store } from '../../core/ports.ts';
import type { BatcherStats, GatherPolicy } from './batcher.ts';
import { withCartCache } from './cart-cache.ts';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './store.ts';
import { expandCommit, receiveError, writerMethods, type Area, type CommitReply, type CheckpointerData, type FromCheckpointer, type FromWriter, type ToCheckpointer, type ToWriter, type WriteCall, type WriterData } from './writer-protocol.ts';

/** The writer's group-commit counters, and what the checkpointer beside it last saw. */
export interface ThreadedStoreStats extends BatcherStats {
  /** Frames in the WAL at the checkpointer's last pass. */
  walPages: number;
  /** Times the checkpointer started the WAL over. */
  walRestarts: number;
}

export interface ThreadedSqliteStore extends Store {
  readonly path: string;
  /** The writer thread's group-commit counters, as of its last reply, and the checkpointer's. */
  readonly stats: Readonly<ThreadedStoreStats>;
  /** Audits the stock tables directly (a read), for tests and the auditor. */
  checkInvariants: SqliteStore['checkInvariants'];
  /**
   * Ends the writer thread at once, as a crash of it would (fault tests): what it owed and every
   * later write or cart read fail with store-unavailable, while the catalog and stock still read.
   */
  killWriter(): Promise<void>;
  /** Ends the checkpointer thread at once, as a crash of it would (fault tests); the writer's backstop checkpoints from then on. */
  killCheckpointer(): Promise<void>;
}

interface Waiting {
  area: Area;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Method = (...args: unknown[]) => Promise<unknown>;

const writerUrl = new URL('./writer-thread.ts', import.meta.url);
const checkpointerUrl = new URL('./checkpointer-thread.ts', import.meta.url);

/**
 * The writer's group commit waits a millisecond for more writes when fewer than 32 are queued
 * (batcher.ts says why); at a flash sale's peak the batches are larger than that already.
 */
export const writerGather: GatherPolicy = { waitMs: 1, below: 32 };

/** How long close() lets a checkpoint pass in progress finish before it ends the thread. */
const checkpointerCloseMs = 10_000;

/** Calls gathered before they are sent without waiting for the end of the loop's turn. */
const sendAfterCalls = 16;

/** Resolves once the writer has opened and migrated the file; rejects with why it could not. */
function untilOpen(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    // Only these listeners come off again: Worker keeps internal ones (they ref and unref its port).
    const done = () => worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    const onMessage = (message: FromWriter) => {
      if (message.kind === 'ready') resolve();
      else if (message.kind === 'failed') reject(receiveError(message.error));
      else return;
      done();
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`the SQLite writer thread exited (code ${code}) before it opened the store`));
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

export interface ThreadedStoreOptions extends SqliteStoreOptions {
  /** Told once when the writer thread ends on its own (not by close()), so the process can log it. */
  onWriterLost?: (error: Error) => void;
  /** Told when the checkpointer thread ends on its own; the writer's backstop checkpoints then. */
  onCheckpointerLost?: (error: Error) => void;
  /** Between checkpoint passes (checkpointIntervalMs); tests ask for shorter. */
  checkpointIntervalMs?: number;
}

export async function openThreadedSqliteStore(options: ThreadedStoreOptions): Promise<ThreadedSqliteStore> {
  const data: WriterData = { path: options.path, batchMaxOps: options.batchMaxOps, migrate: options.migrate ?? true, gather: options.gather ?? writerGather };
  const worker = new Worker(writerUrl, { workerData: data, name: 'peakcart sqlite writer' });
  try {
    await untilOpen(worker);
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const stats: ThreadedStoreStats = { transactions: 0, operations: 0, largestBatch: 0, walPages: 0, walRestarts: 0 };
  // After the writer: the file exists in WAL mode.
  const checkpointer = startCheckpointer(options, stats);

  let reader: SqliteStore;
  try {
    // After the writer: it has created the file and applied the migrations the reader expects.
    reader = await openSqliteStore({ path: options.path, readOnly: true });
  } catch (error) {
    await checkpointer.close();
    await worker.terminate();
    throw error;
  }
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  /** Why the writer can take no more calls: closed by us, or gone on its own. */
  let stopped: Error | undefined;
  let closing: Promise<void> | undefined;
  let closed: (() => void) | undefined;

  // The thread keeps the process alive only while it owes an answer, like a socket would.
  worker.unref();
  const settle = (id: number): Waiting | undefined => {
    const entry = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
    return entry;
  };

  const stop = (error: Error) => {
    stopped ??= error;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
    outgoing = [];
  };

  worker.on('message', (message: FromWriter) => {
    if (message.kind === 'replies') {
      Object.assign(stats, message.stats);
      for (const answer of message.replies) {
        const entry = settle(answer.id);
        if (entry === undefined) continue;
        // Before the caller hears of it: its next read must not come from a stale catalog cache.
        if (entry.area === 'catalog') reader.catalogChanged();
        if (answer.ok) entry.resolve(answer.value);
        else entry.reject(receiveError(answer.error));
      }
    } else if (message.kind === 'closed') {
      closed?.();
    }
  });
  // Without its writer the shop can still show its catalog and stock; writes and cart reads
  // answer 503 (store-unavailable), as when a scale-out database is away, and /readyz turns
  // false through ping().
  const lost = (error: DomainError) => {
    if (stopped === undefined && closing === undefined) options.onWriterLost?.(error);
    stop(error);
  };
  worker.on('error', (error) => lost(new DomainError('store-unavailable', `The SQLite writer thread failed: ${error.message}`)));
  worker.on('exit', (code) => {
    // After close() asked it to, the thread's exit is the store closing, not its writer lost;
    // the exit may come before the thread's last message ('closed') is handled here.
    if (closing !== undefined) stop(new Error('the store is closed'));
    else lost(new DomainError('store-unavailable', `The SQLite writer thread exited (code ${code}).`));
    closed?.();
  });

  // Calls go out in small groups: at the end of the loop's turn, or sooner once a few have
  // gathered. Sent only at the end of a turn, the two threads took turns (the writer idle while
  // the event loop worked through a long turn, then the other way round); sent one by one,
  // postMessage was 7% of the event loop's time. The writer's batcher gathers what arrives
  // while it commits either way, so the group commit is as large as before.
  let outgoing: WriteCall[] = [];
  let scheduled = false;
  const send = () => {
    scheduled = false;
    if (outgoing.length === 0) return;
    const calls = outgoing;
    outgoing = [];
    worker.postMessage({ kind: 'calls', calls } satisfies ToWriter);
  };

  const write = (area: Area, method: string, args: unknown[]): Promise<unknown> => {
    if (stopped !== undefined) return Promise.reject(stopped);
    const call: WriteCall = { id: nextId++, area, method, args };
    return new Promise((resolve, reject) => {
      if (waiting.size === 0) worker.ref();
      waiting.set(call.id, { area, resolve, reject });
      outgoing.push(call);
      if (outgoing.length >= sendAfterCalls) send();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(send);
      }
    });
  };

  /** The reader's methods of one area, with those the protocol names sent to the writer instead. */
  function area<A extends Area>(name: A): Store[A] {
    const methods: Record<string, Method> = { ...(reader[name] as unknown as Record<string, Method>) };
    for (const method of writerMethods[name]) methods[method] = (...args) => write(name, method, args);
    // Every method of the port is there: the reader's own, and the writer's by name from the list.
    return methods as unknown as Store[A];
  }

  const orderArea = area('orders');
  // The writer sends commitOrder's reply without the order (writer-protocol.ts).
  orderArea.commitOrder = async (input) => expandCommit(input, (await write('orders', 'commitOrder', [input])) as CommitReply);
  // The cart read answers from what this process's cart writes committed (cart-cache.ts).
  const { carts, orders } = withCartCache({ carts: area('carts'), orders: orderArea }, () => stopped);

  return {
    path: options.path,
    stats,
    catalog: area('catalog'),
    stock: area('stock'),
    carts,
    orders,
    idempotency: area('idempotency'),
    events: area('events'),
    checkInvariants: (nowMs) => reader.checkInvariants(nowMs),

    killCheckpointer: () => checkpointer.kill(),

    async killWriter() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await worker.terminate();
      await exited;
    },

    async ping() {
      if (stopped !== undefined) throw stopped;
      await reader.ping();
    },

    close() {
      closing ??= (async () => {
        if (stopped === undefined) {
          send();
          const done = new Promise<void>((resolve) => {
            closed = resolve;
          });
          worker.ref();
          worker.postMessage({ kind: 'close' } satisfies ToWriter);
          await done;
          stop(new Error('the store is closed'));
        }
        await worker.terminate();
        await checkpointer.close();
        await reader.close();
      })();
      return closing;
    },
  };
}

/** The checkpointer thread beside the writer: started at once, closed with the store. */
function startCheckpointer(options: ThreadedStoreOptions, stats: ThreadedStoreStats): { close(): Promise<void>; kill(): Promise<void> } {
  const data: CheckpointerData = { path: options.path, intervalMs: options.checkpointIntervalMs };
  const thread = new Worker(checkpointerUrl, { workerData: data, name: 'peakcart sqlite checkpointer' });
  // Like the writer, it keeps the process alive only while close() waits for it.
  thread.unref();
  let closing: Promise<void> | undefined;
  thread.on('message', (message: FromCheckpointer) => {
    stats.walPages = message.walPages;
    if (message.restarted) stats.walRestarts += 1;
  });
  // Told once, when the thread ends without close(): with the error it threw, if it threw one.
  let failure: Error | undefined;
  thread.on('error', (error) => {
    failure ??= error;
  });
  const exited = new Promise<void>((resolve) =>
    thread.once('exit', (code) => {
      if (closing === undefined) options.onCheckpointerLost?.(failure ?? new Error(`the SQLite checkpointer thread exited (code ${code})`));
      resolve();
    }),
  );
  return {
    async kill() {
      await thread.terminate();
      await exited;
    },
    close() {
      closing ??= (async () => {
        thread.ref();
        thread.postMessage({ kind: 'close' } satisfies ToCheckpointer);
        // A thread that died already has exited; one that hangs in a pass is ended after it.
        const timeout = setTimeout(() => void thread.terminate(), checkpointerCloseMs);
        await exited;
        clearTimeout(timeout);
      })();
      return closing;
    },
  };
}
