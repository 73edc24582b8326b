// The IdempotencyStore port on SQLite: one row per (scope, key) remembers the request's hash and,
// once it finished, its response, so a retry replays the first answer instead of acting twice.

import type { IdempotencyBegin, IdempotencyStore } from '../../core/ports.ts';
import type { Batcher } from './batcher.ts';
import { asRow, int, intOrNull, text, textOrNull } from './codec.ts';
import type { Prepare } from './connection.ts';

/** Most keys one purgeOlderThan call deletes (one transaction). */
export const idempotencyPurgeMax = 10_000;

const sql = {
  find: `
    SELECT request_hash, state, response_status, response_body, response_content_type, lease_until_ms
    FROM idempotency_keys WHERE scope = ? AND key = ?`,
  insert: `
    INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at_ms, lease_until_ms)
    VALUES (?, ?, ?, 'in_progress', ?, ?)`,
  takeOver: 'UPDATE idempotency_keys SET lease_until_ms = ? WHERE scope = ? AND key = ?',
  complete: `
    UPDATE idempotency_keys SET state = 'done', response_status = :status, response_body = :body, response_content_type = :contentType
    WHERE scope = :scope AND key = :key`,
  abandon: 'DELETE FROM idempotency_keys WHERE scope = ? AND key = ?',
  purge: `
    DELETE FROM idempotency_keys WHERE rowid IN (
      SELECT rowid FROM idempotency_keys WHERE created_at_ms < ? ORDER BY created_at_ms LIMIT ?)`,
} as const;

export function createIdempotencyStore(prepare: Prepare, batcher: Batcher): IdempotencyStore {
  /** What an existing row answers, or undefined when the caller may claim the key (a write). */
  function answerOf(found: unknown, requestHash: string, nowMs: number): IdempotencyBegin | undefined {
    if (found === undefined) return undefined;
    const row = asRow(found);
    if (text(row, 'request_hash') !== requestHash) return { kind: 'mismatch' };
    if (text(row, 'state') === 'done') {
      const status = intOrNull(row, 'response_status');
      const body = textOrNull(row, 'response_body');
      const contentType = textOrNull(row, 'response_content_type');
      if (status === null || body === null || contentType === null) throw new Error("an idempotency key is done without a response");
      return { kind: 'replay', status, body, contentType };
    }
    if (int(row, 'lease_until_ms') > nowMs) return { kind: 'in-progress' };
    return undefined;
  }

  function beginInTransaction(scope: string, key: string, requestHash: string, nowMs: number, leaseMs: number): IdempotencyBegin {
    const found = prepare(sql.find).get(scope, key);
    const answer = answerOf(found, requestHash, nowMs);
    if (answer !== undefined) return answer;
    if (found === undefined) prepare(sql.insert).run(scope, key, requestHash, nowMs, nowMs + leaseMs);
    // Otherwise the first request's lease ran out (its process died, most likely): this one takes over.
    else prepare(sql.takeOver).run(nowMs + leaseMs, scope, key);
    return { kind: 'started' };
  }

  return {
    async begin(scope, key, requestHash, nowMs, leaseMs) {
      // No refuseNul here: scope and key are only compared as bound parameters (all bytes count)
      // and never read back, so a NUL in them is harmless, and refusing would turn a hostile
      // path's 404 into a 422 before the route could answer.
      // Retries under load are mostly replays: answer them from a read, without a write
      // transaction. Claiming the key is decided again inside the write, so this is only a shortcut.
      const answer = answerOf(prepare(sql.find).get(scope, key), requestHash, nowMs);
      if (answer !== undefined) return answer;
      return batcher.run(() => beginInTransaction(scope, key, requestHash, nowMs, leaseMs));
    },

    async complete(scope, key, response) {
      const { status, body, contentType } = response;
      await batcher.run(() => prepare(sql.complete).run({ scope, key, status, body, contentType }));
    },

    async abandon(scope, key) {
      await batcher.run(() => prepare(sql.abandon).run(scope, key));
    },

    async purgeOlderThan(beforeMs, limit) {
      if (!(limit >= 1)) return 0;
      return batcher.run(() => Number(prepare(sql.purge).run(beforeMs, Math.min(Math.floor(limit), idempotencyPurgeMax)).changes));
    },
  };
}
