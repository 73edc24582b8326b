// The IdempotencyStore port on PostgreSQL: one row per (scope, key), its primary key making the
// claim unique across instances; a claim whose lease ran out is taken over under a row lock.

import { DomainError } from '../../core/errors.ts';
import type { IdempotencyBegin, IdempotencyStore, KeptAnswer } from '../../core/ports.ts';
import { idempotencyPurgeMax } from '../sqlite/idempotency.ts';
import { int, intOrNull, text, textOrNull, type Row } from './codec.ts';
import { read, transaction, type Sql, type Tx } from './connection.ts';

const keyColumns = 'request_hash, state, response_status, response_body, response_content_type, lease_until_ms';

/** What an existing row answers, or undefined when the caller may claim the key. */
function answerOf(row: Row | undefined, requestHash: string, nowMs: number): IdempotencyBegin | undefined {
  if (row === undefined) return undefined;
  if (text(row, 'request_hash') !== requestHash) return { kind: 'mismatch' };
  if (text(row, 'state') === 'done') {
    const status = intOrNull(row, 'response_status');
    const body = textOrNull(row, 'response_body');
    const contentType = textOrNull(row, 'response_content_type');
    if (status === null || body === null || contentType === null) throw new Error('an idempotency key is done without a response');
    return { kind: 'replay', status, body, contentType };
  }
  if (int(row, 'lease_until_ms') > nowMs) return { kind: 'in-progress' };
  return undefined;
}

/**
 * PostgreSQL text cannot hold NUL, yet scope and key are compared byte for byte and never read
 * back (the SQLite adapter takes them as they are): NUL and the escape character are escaped.
 */
function storable(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0');
}

/**
 * Marks the request's claim done with its answer, inside the transaction of the write that
 * finished the request: the change and its answer commit together or not at all.
 */
export async function keepAnswer(tx: Tx, answer: KeptAnswer): Promise<void> {
  const { status, body, contentType } = answer.response;
  await tx`
    UPDATE idempotency_keys SET state = 'done', response_status = ${status}, response_body = ${body}, response_content_type = ${contentType}
    WHERE scope = ${storable(answer.scope)} AND key = ${storable(answer.key)}`;
}

/** Most claims remembered for a later abandon while the database is away. */
export const unabandonedMax = 10_000;

export function createIdempotencyStore(sql: Sql): IdempotencyStore {
  // Claims whose request ended while the database was away: the abandon could not be written,
  // so a retry would find the key "in progress" until its lease ran out (15 s of waiting for a
  // shopper whose first attempt already failed). They are abandoned once the database answers.
  // Likewise a claim whose commit lost its connection: it may have been written without this
  // instance learning so, and no one would ever abandon it. It is deleted by its own lease
  // (leaseUntilMs), so a claim another request made since is left alone.
  const unabandoned = new Map<string, { scope: string; key: string; leaseUntilMs?: number }>();

  async function abandonNow(scope: string, key: string, leaseUntilMs?: number): Promise<void> {
    await transaction(sql, (tx) =>
      leaseUntilMs === undefined
        ? tx`DELETE FROM idempotency_keys WHERE scope = ${scope} AND key = ${key} AND state = 'in_progress'`
        : tx`DELETE FROM idempotency_keys WHERE scope = ${scope} AND key = ${key} AND state = 'in_progress' AND lease_until_ms = ${leaseUntilMs}`,
    );
  }

  function remember(scope: string, key: string, leaseUntilMs?: number): void {
    if (unabandoned.size < unabandonedMax) unabandoned.set(`${scope}\u0000${key}`, leaseUntilMs === undefined ? { scope, key } : { scope, key, leaseUntilMs });
  }

  // And a request that finished while the database went away: its answer could not be stored,
  // so the key would stay "in progress" until its lease ran out. The answer is stored once the
  // database is back, so the retry gets it (the order it names was written before it failed).
  const uncompleted = new Map<string, { scope: string; key: string; response: { status: number; body: string; contentType: string } }>();

  async function completeNow(scope: string, key: string, response: { status: number; body: string; contentType: string }): Promise<void> {
    const { status, body, contentType } = response;
    await transaction(sql, (tx) => tx`
      UPDATE idempotency_keys SET state = 'done', response_status = ${status}, response_body = ${body}, response_content_type = ${contentType}
      WHERE scope = ${scope} AND key = ${key}`);
  }

  async function finishLeftovers(): Promise<void> {
    for (const [id, left] of [...uncompleted]) {
      try {
        await completeNow(left.scope, left.key, left.response);
        uncompleted.delete(id);
      } catch {
        return;
      }
    }
    for (const [id, claim] of [...unabandoned]) {
      try {
        await abandonNow(claim.scope, claim.key, claim.leaseUntilMs);
        unabandoned.delete(id);
      } catch {
        return;
      }
    }
  }

  async function claim(scope: string, key: string, requestHash: string, nowMs: number, leaseMs: number): Promise<IdempotencyBegin> {
    return transaction(sql, async (tx) => {
      const claimed = await tx`
        INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at_ms, lease_until_ms)
        VALUES (${scope}, ${key}, ${requestHash}, 'in_progress', ${nowMs}, ${nowMs + leaseMs})
        ON CONFLICT (scope, key) DO NOTHING RETURNING key`;
      if (claimed.length === 1) return { kind: 'started' } as const;
      const found = (await tx.unsafe(`SELECT ${keyColumns} FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE`, [scope, key])) as Row[];
      const answer = answerOf(found[0], requestHash, nowMs);
      if (answer !== undefined) return answer;
      // The first request's lease ran out (its process died, most likely): this one takes over.
      // (A row abandoned between the insert and this read is simply claimed again.)
      if (found[0] === undefined) {
        await tx`
          INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at_ms, lease_until_ms)
          VALUES (${scope}, ${key}, ${requestHash}, 'in_progress', ${nowMs}, ${nowMs + leaseMs})`;
      } else {
        await tx`UPDATE idempotency_keys SET lease_until_ms = ${nowMs + leaseMs} WHERE scope = ${scope} AND key = ${key}`;
      }
      return { kind: 'started' } as const;
    });
  }

  return {
    async begin(rawScope, rawKey, requestHash, nowMs, leaseMs) {
      const scope = storable(rawScope);
      const key = storable(rawKey);
      if (unabandoned.size + uncompleted.size > 0) await finishLeftovers();
      // Retries under load are mostly replays: answer them from a read. The claim is decided again below.
      const seen = await read(() => sql.unsafe(`SELECT ${keyColumns} FROM idempotency_keys WHERE scope = $1 AND key = $2`, [scope, key]));
      const early = answerOf((seen as Row[])[0], requestHash, nowMs);
      if (early !== undefined) return early;
      return claim(scope, key, requestHash, nowMs, leaseMs).catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'store-unavailable') remember(scope, key, nowMs + leaseMs);
        throw error;
      });
    },

    async complete(rawScope, rawKey, response) {
      const scope = storable(rawScope);
      const key = storable(rawKey);
      try {
        await completeNow(scope, key, response);
      } catch (error) {
        if (uncompleted.size < unabandonedMax) uncompleted.set(`${scope}\u0000${key}`, { scope, key, response });
        throw error;
      }
    },

    async abandon(rawScope, rawKey) {
      const scope = storable(rawScope);
      const key = storable(rawKey);
      try {
        await abandonNow(scope, key);
      } catch (error) {
        remember(scope, key);
        throw error;
      }
    },

    async purgeOlderThan(beforeMs, limit) {
      // The sweeper calls this every second: it also finishes what an outage interrupted.
      if (unabandoned.size + uncompleted.size > 0) await finishLeftovers();
      if (!(limit >= 1)) return 0;
      const batch = Math.min(Math.floor(limit), idempotencyPurgeMax);
      return transaction(sql, async (tx) => {
        const purged = await tx`
          DELETE FROM idempotency_keys WHERE (scope, key) IN (
            SELECT scope, key FROM idempotency_keys WHERE created_at_ms < ${beforeMs} ORDER BY created_at_ms LIMIT ${batch})`;
        return purged.count;
      });
    },
  };
}
