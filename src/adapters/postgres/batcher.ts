// Group commit for the hot path: checkouts (commitOrder) and holds (setHolds) queue here, and
// one transaction at a time per queue and instance writes everything queued, so a flash sale's
// hot stock row is locked, and the WAL flushed, once per batch instead of once per request.
// Promises settle only after the batch's COMMIT returned. Instances batch independently; the
// row locks keep their batches apart.

import { DomainError } from '../../core/errors.ts';
import { transaction, type Sql, type Tx } from './connection.ts';

/** Most requests one transaction carries; the rest wait for the next one. */
export const batchRequestsMax = 200;
/** Most requests waiting at once; beyond it a request answers 503 rather than grow the queue. */
export const batchQueueMax = 20_000;

/** Writes a batch inside one transaction; results in the order of `inputs`. */
export type BatchWrite<Input, Result> = (tx: Tx, inputs: readonly Input[]) => Promise<Result[]>;

export interface Batcher<Input, Result> {
  run(input: Input): Promise<Result>;
}

interface Waiting<Input, Result> {
  input: Input;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export function createBatcher<Input, Result>(sql: Sql, write: BatchWrite<Input, Result>): Batcher<Input, Result> {
  let queue: Array<Waiting<Input, Result>> = [];
  let running = false;

  /** One batch in one transaction, run again from the start on a lost race (transaction()). */
  function commit(inputs: readonly Input[]): Promise<Result[]> {
    return transaction(sql, (tx) => write(tx, inputs));
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchRequestsMax);
      queue = queue.slice(batch.length);
      try {
        const results = await commit(batch.map((waiting) => waiting.input));
        batch.forEach((waiting, index) => waiting.resolve(results[index]!));
      } catch (error) {
        if (batch.length === 1 || (error instanceof DomainError && error.code === 'store-unavailable')) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        // One request's fault (a bug, a bad event id) must not fail its neighbours: each alone.
        for (const waiting of batch) {
          await commit([waiting.input]).then(
            (results) => waiting.resolve(results[0]!),
            (single: unknown) => waiting.reject(single),
          );
        }
      }
    }
  }

  function schedule(): void {
    if (running || queue.length === 0) return;
    running = true;
    // The next turn of the event loop: the requests arriving meanwhile join this batch.
    setImmediate(() => {
      void drain().finally(() => {
        running = false;
        // A request that queued between the drain's last look and now must not wait forever.
        schedule();
      });
    });
  }

  return {
    run(input) {
      if (queue.length >= batchQueueMax) {
        return Promise.reject(new DomainError('store-unavailable', `${batchQueueMax} writes are waiting; try again shortly.`));
      }
      return new Promise<Result>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
  };
}
