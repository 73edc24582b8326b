// Group commit for checkouts: commitOrder calls queue here, and one transaction at a time per
// instance commits everything queued (commitBatch in orders.ts), so a flash sale's hot stock
// row is locked, and the WAL flushed, once per batch instead of once per order. Promises settle
// only after the batch's COMMIT returned. Instances batch independently; the row locks keep
// their batches apart.

import type { CommitOrderInput, CommitOrderResult } from '../../core/ports.ts';
import { DomainError } from '../../core/errors.ts';
import { isUniqueViolation, RetryTransaction, transaction, type Sql, type Tx } from './connection.ts';

/** Most orders one transaction carries; the rest wait for the next one. */
export const commitBatchMax = 200;
/** Most orders waiting at once; beyond it commitOrder answers 503 rather than grow the queue. */
export const commitQueueMax = 20_000;

export interface CommitBatcher {
  commit(input: CommitOrderInput): Promise<CommitOrderResult>;
}

interface Waiting {
  input: CommitOrderInput;
  resolve: (result: CommitOrderResult) => void;
  reject: (error: unknown) => void;
}

export type CommitBatch = (tx: Tx, inputs: readonly CommitOrderInput[]) => Promise<CommitOrderResult[]>;

export function createCommitBatcher(sql: Sql, commitBatch: CommitBatch): CommitBatcher {
  let queue: Waiting[] = [];
  let running = false;

  /** One batch in one transaction, run again from the start on a lost race. */
  function run(inputs: readonly CommitOrderInput[]): Promise<CommitOrderResult[]> {
    return transaction(sql, async (tx) => {
      try {
        return await commitBatch(tx, inputs);
      } catch (error) {
        // Another instance wrote one of these carts' orders after our first read: run again,
        // and the fresh read answers 'cart-completed' for it.
        if (isUniqueViolation(error, 'orders_cart_id_key')) throw new RetryTransaction('a cart became an order meanwhile');
        throw error;
      }
    });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, commitBatchMax);
      queue = queue.slice(batch.length);
      try {
        const results = await run(batch.map((waiting) => waiting.input));
        batch.forEach((waiting, index) => waiting.resolve(results[index]!));
      } catch (error) {
        if (batch.length === 1 || (error instanceof DomainError && error.code === 'store-unavailable')) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        // One order's fault (a bug, a bad event id) must not fail its neighbours: each alone.
        for (const waiting of batch) {
          await run([waiting.input]).then(
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
    // The next turn of the event loop: the checkouts arriving meanwhile join this batch.
    setImmediate(() => {
      void drain().finally(() => {
        running = false;
        // A commit that queued between the drain's last look and now must not wait forever.
        schedule();
      });
    });
  }

  return {
    commit(input) {
      if (queue.length >= commitQueueMax) {
        return Promise.reject(new DomainError('store-unavailable', `${commitQueueMax} orders are waiting to be written; try again shortly.`));
      }
      return new Promise<CommitOrderResult>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
  };
}
