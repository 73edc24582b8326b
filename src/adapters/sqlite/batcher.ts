// Group commit: every write of the store queues here, and one flush runs all queued writes in
// one BEGIN IMMEDIATE … COMMIT, so a burst of checkouts costs one fsync instead of one each.
// A failing write is undone alone and rejects only its own promise. Promises settle only after
// COMMIT returned, i.e. once the batch is durable.
//
// Undoing one write alone takes a SAVEPOINT around it, and while one is open SQLite copies
// every page a write touches first into a statement journal, in case it must be put back: 7%
// of the writer's CPU under a flash sale, for writes that nearly never fail. So the writes run
// in groups of writesPerSavepoint under one savepoint, which journals a page the group's
// writes share (the hot stock row, each table's last page) once instead of once per write.
// Only when a write of a group throws is the group rolled back and run again, each write in a
// savepoint of its own, as every write ran before. The other writes of the group run twice
// then, which they allow: what they do is read and written in this transaction, and what they
// change in memory they undo through undoOnRollback. A write that fails costs at most its
// group's run again, so bad requests cannot make a whole batch run twice.

import type { DatabaseSync } from 'node:sqlite';

/** Most writes one transaction carries; the rest wait for the next flush. */
export const batchOpsMax = 1000;

/** Writes run under one savepoint, and run again one by one when one of them throws. */
export const writesPerSavepoint = 16;

/** Most writes waiting at once; beyond it run() refuses, so overload cannot grow memory unbounded. */
export const batchQueueMax = 100_000;

/**
 * A short wait for more writes before a small batch commits. A commit costs about the same
 * whether it carries 5 writes or 50 (its fsync, and the WAL frames of the pages every batch
 * dirties: each table's last page, the hot stock row, the order counter). Under a heavy flash
 * sale the batches are large anyway, because writes gather while the previous one commits; at
 * 70% of that rate they were a fifth as large, and the server spent as much CPU as at the
 * maximum rate. Waiting one millisecond when fewer than gatherBelow writes are queued doubled
 * the writes per commit there (docs/benchmarks.md).
 */
export interface GatherPolicy {
  /** How long a small batch waits, once, before it commits; 0 commits at once. */
  waitMs: number;
  /** A batch of at least this many writes commits at once. */
  below: number;
}

export const noGathering: GatherPolicy = { waitMs: 0, below: 0 };

export interface BatcherStats {
  /** Committed (or attempted) write transactions. */
  transactions: number;
  /** Writes that ran, whether they succeeded or failed. */
  operations: number;
  /** The most writes one transaction carried. */
  largestBatch: number;
}

export interface Batcher {
  run<T>(work: () => T): Promise<T>;
  /**
   * Called by a running write for a change it made outside the file (in memory): `undo` puts
   * it back if the write is rolled back, alone or with its batch. Outside a write, ignored.
   */
  undoOnRollback(undo: () => void): void;
  /** Runs every queued write, then stops accepting new ones. */
  close(): Promise<void>;
  readonly stats: Readonly<BatcherStats>;
}

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createBatcher(db: DatabaseSync, options: { batchMaxOps?: number; gather?: GatherPolicy } = {}): Batcher {
  const opsMax = options.batchMaxOps ?? batchOpsMax;
  if (!Number.isSafeInteger(opsMax) || opsMax < 1) throw new Error(`batchMaxOps must be a positive integer, got ${opsMax}`);
  const gather = options.gather ?? noGathering;
  const stats: BatcherStats = { transactions: 0, operations: 0, largestBatch: 0 };
  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;
  let drained: (() => void) | undefined;
  let gathering: NodeJS.Timeout | undefined;
  /** Where the running write's undos go; undefined while no write runs. */
  let undos: (() => void)[] | undefined;
  /** The undos of the writes in the open transaction that were not rolled back: run if it is. */
  let batchUndos: (() => void)[] = [];

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(gatherThenFlush);
  }

  /**
   * Decided once the writes that arrived in this turn are queued, not at the first of them:
   * a batch that is small then waits for more. Closing commits at once.
   */
  function gatherThenFlush(): void {
    if (gather.waitMs > 0 && queue.length < gather.below && !closed) gathering = setTimeout(flush, gather.waitMs);
    else flush();
  }

  function flush(): void {
    clearTimeout(gathering);
    gathering = undefined;
    scheduled = false;
    const batch = queue.slice(0, opsMax);
    queue = queue.slice(batch.length);
    if (batch.length > 0) runBatch(batch);
    if (queue.length > 0) schedule();
    else if (drained !== undefined) drained();
  }

  function runBatch(batch: Pending[]): void {
    stats.transactions += 1;
    stats.largestBatch = Math.max(stats.largestBatch, batch.length);
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      for (let start = 0; start < batch.length && db.isTransaction; start += writesPerSavepoint) {
        runGroup(batch.slice(start, start + writesPerSavepoint), outcomes);
      }
    } catch (error) {
      // A savepoint could not be taken, released or undone: a failed write's effects may still
      // be in the transaction, so none of it may commit. The writes after the one that broke
      // never ran for good.
      abort(batch, outcomes.length + 1, error);
      return;
    }
    if (!db.isTransaction) {
      // SQLite ended the transaction itself (an I/O error, a full disk): everything that ran is gone.
      const lost = outcomes.find((outcome) => !outcome.ok);
      abort(batch, outcomes.length, lost !== undefined && !lost.ok ? lost.error : new Error('the write transaction was aborted'));
      return;
    }
    commit(batch, outcomes);
  }

  /**
   * Runs a group of writes under one savepoint and adds their outcomes to `outcomes`. When one
   * throws, the group is rolled back, its writes' memory changes undone, and the group run
   * again, each write in its own savepoint. Throws only when a savepoint itself fails, with
   * `outcomes` as far as the writes ran for good.
   */
  function runGroup(group: Pending[], outcomes: Outcome[]): void {
    db.exec('SAVEPOINT writes');
    const groupUndos: (() => void)[] = [];
    const values: Outcome[] = [];
    let failed = false;
    let failure: unknown;
    for (const pending of group) {
      try {
        values.push({ ok: true, value: runWork(pending.work, groupUndos) });
      } catch (error) {
        failed = true;
        failure = error;
      }
      if (failed || !db.isTransaction) break;
    }
    if (!failed && db.isTransaction) {
      stats.operations += group.length;
      batchUndos.push(...groupUndos);
      db.exec('RELEASE writes');
      outcomes.push(...values);
      return;
    }
    runUndos(groupUndos);
    if (!db.isTransaction) {
      // SQLite ended the transaction itself (an I/O error, a full disk): what ran is gone, and
      // runBatch fails every write that ran with the error.
      const lost: Outcome = { ok: false, error: failed ? failure : new Error('the write transaction was aborted') };
      for (let ran = values.length + (failed ? 1 : 0); ran > 0; ran--) outcomes.push(lost);
      return;
    }
    db.exec('ROLLBACK TO writes');
    for (const pending of group) {
      if (!db.isTransaction) break;
      stats.operations += 1;
      outcomes.push(runOne(pending.work));
    }
    if (db.isTransaction) db.exec('RELEASE writes');
  }

  /** Commits the batch and settles each write with its outcome, or fails them all. */
  function commit(batch: Pending[], outcomes: Outcome[]): void {
    try {
      db.exec('COMMIT');
    } catch (error) {
      abort(batch, batch.length, error);
      return;
    }
    batchUndos = [];
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) throw new Error('batcher lost an outcome');
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  function rollback(): void {
    try {
      if (db.isTransaction) db.exec('ROLLBACK');
    } catch {
      // Nothing more to undo here: SQLite rolls back a transaction it cannot finish.
    }
  }

  /** Latest first, as the changes were made. */
  function runUndos(list: (() => void)[]): void {
    for (let i = list.length - 1; i >= 0; i--) list[i]?.();
    list.length = 0;
  }

  /** Rolls the whole batch back: the writes that ran fail, the ones that never ran are queued again. */
  function abort(batch: Pending[], ran: number, error: unknown): void {
    rollback();
    runUndos(batchUndos);
    batch.slice(0, ran).forEach((pending) => pending.reject(error));
    queue = [...batch.slice(ran), ...queue];
  }

  /** Runs one write, the undos it registers going to `into`. */
  function runWork(work: () => unknown, into: (() => void)[]): unknown {
    undos = into;
    try {
      const value = work();
      // The savepoint must cover all of the write's effects, so the work must be synchronous.
      if (value instanceof Promise) throw new Error('a batched write must be synchronous');
      return value;
    } finally {
      undos = undefined;
    }
  }

  /** Runs one write in its own savepoint; throws only when the savepoint itself fails. */
  function runOne(work: () => unknown): Outcome {
    db.exec('SAVEPOINT write');
    const own: (() => void)[] = [];
    let value: unknown;
    try {
      value = runWork(work, own);
    } catch (error) {
      runUndos(own);
      if (db.isTransaction) {
        db.exec('ROLLBACK TO write');
        db.exec('RELEASE write');
      }
      return { ok: false, error };
    }
    batchUndos.push(...own);
    db.exec('RELEASE write');
    return { ok: true, value };
  }

  return {
    stats,
    undoOnRollback(undo) {
      undos?.push(undo);
    },
    run<T>(work: () => T): Promise<T> {
      if (closed) return Promise.reject(new Error('the store is closed'));
      if (queue.length >= batchQueueMax) return Promise.reject(new Error(`the write queue is full (${batchQueueMax} writes)`));
      return new Promise<T>((resolve, reject) => {
        // The queue holds writes of every result type; each resolve gets back what its own work returned.
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
    close(): Promise<void> {
      closed = true;
      if (queue.length === 0 && !scheduled) return Promise.resolve();
      return new Promise<void>((resolve) => {
        drained = resolve;
        // A batch waiting to gather more commits now: nothing more is coming.
        if (gathering !== undefined) flush();
        else schedule();
      });
    },
  };
}
