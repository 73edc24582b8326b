// The IdempotencyStore port on SQLite: one row per (scope, key) remembers the request's hash and,
// once it finished, its response, so a retry replays the first answer instead of acting twice.

import { ClaimRefused } from '../../core/errors.ts';
import type { CommitClaim, IdempotencyBegin, IdempotencyStore, KeptAnswer, KeyClaim } from '../../core/ports.ts';
import type { Batcher } from './batcher.ts';
import { asRow, int, intOrNull, text, textOrNull } from './codec.ts';
import type { Prepare } from './connection.ts';

/** Most keys one purgeOlderThan call deletes (one transaction). */
export const idempotencyPurgeMax = 10_000;

/** Claims kept at once before the expired ones are swept out (each is one running request). */
const claimsSweepAbove = 10_000;

const sql = {
  find: `
    SELECT request_hash, state, response_status, response_body, response_content_type, lease_until_ms
    FROM idempotency_keys WHERE scope = ? AND key = ?`,
  record: `
    INSERT INTO idempotency_keys (scope, key, request_hash, state, response_status, response_body, response_content_type, created_at_ms, lease_until_ms)
    VALUES (:scope, :key, :requestHash, 'done', :status, :body, :contentType, :createdAtMs, :leaseUntilMs)
    ON CONFLICT (scope, key) DO UPDATE SET
      state = 'done', response_status = excluded.response_status, response_body = excluded.response_body,
      response_content_type = excluded.response_content_type`,
  // A claiming write's row, when no row has the key: a conflict changes nothing (changes 0).
  insertFresh: `
    INSERT INTO idempotency_keys (scope, key, request_hash, state, response_status, response_body, response_content_type, created_at_ms, lease_until_ms)
    VALUES (:scope, :key, :requestHash, 'done', :status, :body, :contentType, :createdAtMs, :leaseUntilMs)
    ON CONFLICT (scope, key) DO NOTHING`,
  complete: `
    UPDATE idempotency_keys SET state = 'done', response_status = :status, response_body = :body, response_content_type = :contentType
    WHERE scope = :scope AND key = :key`,
  abandon: 'DELETE FROM idempotency_keys WHERE scope = ? AND key = ?',
  // The purge walks the rows in rowid order, which is the order they were inserted in, so by
  // age: no index on created_at_ms is kept for it (migration 10), which each order paid for
  // three times. It reads a few rows at a time and stops at the first one young enough to
  // keep, so a sweep with nothing to purge reads one short page. A row inserted out of time
  // order (a clock stepped back) waits for the rows before it: keys are kept at least as
  // long as promised, never less.
  oldest: 'SELECT rowid AS row, created_at_ms FROM idempotency_keys WHERE rowid > ? ORDER BY rowid LIMIT ?',
  purgeThrough: 'DELETE FROM idempotency_keys WHERE rowid <= ?',
} as const;

/** Rows the purge reads at first, doubling while they are all old enough to go. */
const purgeReadFirst = 16;

/** A request running with its key: what a duplicate must be told, and what its result records. */
interface Claim {
  requestHash: string;
  createdAtMs: number;
  leaseUntilMs: number;
  /** It took over a row left in progress by a request that died before this store was opened. */
  tookOver: boolean;
}

/** A key look() found free to claim: what row it has (none, or one a dead request left), and any claim whose lease ran out. */
interface FreeKey {
  stored: 'absent' | 'expired';
  running: Claim | undefined;
}

/** How the other writes of this store keep a request's answer in their own transaction. */
export interface AnswerKeeper {
  /**
   * Runs `work` as a batched write; when `applied` says it made its change, the answer's row
   * is written in the same transaction, and the claim goes once that committed.
   */
  run<T>(answer: KeptAnswer | undefined, work: () => T, applied: (value: T) => boolean): Promise<T>;
  /**
   * Runs `work` as a batched write that claims the key first: a key that is taken fails it
   * with ClaimRefused before it runs; when `applied` says it made its change, the key stays
   * claimed for the request (no row yet), as begin() would have left it.
   */
  claimFor<T>(claim: CommitClaim, work: () => T, applied: (value: T) => boolean): Promise<T>;
}

/**
 * The claim of a running request lives in memory, not in the file: it only has to stop
 * duplicates while this process runs the request (the embedded shop is one process), and a
 * claim that survived a crash would only make the retry wait out its lease before running the
 * request again, as it runs now at once. So a request writes its key once, with its result, in
 * the same group commit as any other write, and a duplicate is answered without a write.
 */
export function createIdempotencyStore(prepare: Prepare, batcher: Batcher): { store: IdempotencyStore; answers: AnswerKeeper } {
  const claims = new Map<string, Claim>();
  // The scope's length first, so no (scope, key) pair can spell another's name.
  const claimKey = (scope: string, key: string) => `${scope.length}:${scope}${key}`;

  // The next sweep waits until the claims doubled since the last one: when most of them are
  // still leased (a surge of running requests), a sweep at every claim would walk them all each
  // time, a cost that grew with the square of the requests running.
  let sweepAt = claimsSweepAbove;
  function sweepExpired(nowMs: number): void {
    if (claims.size < sweepAt) return;
    for (const [name, claim] of claims) if (claim.leaseUntilMs <= nowMs) claims.delete(name);
    sweepAt = Math.max(claimsSweepAbove, 2 * claims.size);
  }

  /** Deletes at most `most` of the oldest rows created before `beforeMs`; returns how many. */
  function purgeOldest(beforeMs: number, most: number): number {
    let last = 0;
    let old = 0;
    let page = purgeReadFirst;
    while (old < most) {
      const rows = prepare(sql.oldest).all(last, Math.min(page, most - old));
      let young = false;
      for (const found of rows) {
        const row = asRow(found);
        if (int(row, 'created_at_ms') >= beforeMs) {
          young = true;
          break;
        }
        last = int(row, 'row');
        old += 1;
      }
      if (young || rows.length < page) break;
      page *= 2;
    }
    return old === 0 ? 0 : Number(prepare(sql.purgeThrough).run(last).changes);
  }

  /** What an existing row answers, or whether the caller may claim the key over it. */
  function answerOf(found: unknown, requestHash: string, nowMs: number): IdempotencyBegin | 'absent' | 'expired' {
    if (found === undefined) return 'absent';
    const row = asRow(found);
    if (text(row, 'request_hash') !== requestHash) return { kind: 'mismatch' };
    if (text(row, 'state') === 'done') {
      const status = intOrNull(row, 'response_status');
      const body = textOrNull(row, 'response_body');
      const contentType = textOrNull(row, 'response_content_type');
      if (status === null || body === null || contentType === null) throw new Error("an idempotency key is done without a response");
      return { kind: 'replay', status, body, contentType };
    }
    // Rows in progress come from versions that wrote their claims; one still leased is running.
    if (int(row, 'lease_until_ms') > nowMs) return { kind: 'in-progress' };
    return 'expired';
  }

  /** The row of a finished request: with its claim's hash, or onto a row left by one whose lease ran out. */
  function record(scope: string, key: string, response: KeptAnswer['response']): Claim | undefined {
    const claim = claims.get(claimKey(scope, key));
    if (claim === undefined) {
      // Not claimed here (a lease that ran out and was swept): record the result on a row, if any.
      const { status, body, contentType } = response;
      prepare(sql.complete).run({ scope, key, status, body, contentType });
      return undefined;
    }
    writeRow(scope, key, response, claim);
    return claim;
  }

  /** The row of a request that finished under this claim, unless the key has a row: whether it was written. */
  function insertRow(scope: string, key: string, response: KeptAnswer['response'], claim: Pick<Claim, 'requestHash' | 'createdAtMs' | 'leaseUntilMs'>): boolean {
    const { status, body, contentType } = response;
    const { requestHash, createdAtMs, leaseUntilMs } = claim;
    return Number(prepare(sql.insertFresh).run({ scope, key, requestHash, status, body, contentType, createdAtMs, leaseUntilMs }).changes) === 1;
  }

  /** The row of a request that finished under this claim, with its answer. */
  function writeRow(scope: string, key: string, response: KeptAnswer['response'], claim: Pick<Claim, 'requestHash' | 'createdAtMs' | 'leaseUntilMs'>): void {
    const { status, body, contentType } = response;
    const { requestHash, createdAtMs, leaseUntilMs } = claim;
    prepare(sql.record).run({ scope, key, requestHash, status, body, contentType, createdAtMs, leaseUntilMs });
  }

  /**
   * Sets or (with undefined) removes a claim. Inside a write the change is undone with the
   * write if it is rolled back (batcher.ts runs a batch again after one of its writes threw).
   */
  function putClaim(name: string, claim: Claim | undefined): void {
    const before = claims.get(name);
    if (claim === undefined) claims.delete(name);
    else claims.set(name, claim);
    batcher.undoOnRollback(() => {
      if (before === undefined) claims.delete(name);
      else claims.set(name, before);
    });
  }

  /** Only once the row is durable: until then, a duplicate must still find the claim. */
  function release(scope: string, key: string, claim: Claim | undefined): void {
    const name = claimKey(scope, key);
    if (claim !== undefined && claims.get(name) === claim) claims.delete(name);
  }

  /** The row's answer when the key is taken by a row; otherwise whether a row is there to take over. */
  function lookStored(scope: string, key: string, requestHash: string, nowMs: number): IdempotencyBegin | FreeKey['stored'] {
    return answerOf(prepare(sql.find).get(scope, key), requestHash, nowMs);
  }

  /** A refusal when a request of this process runs with the key; otherwise its claim, if its lease ran out. */
  function lookRunning(scope: string, key: string, requestHash: string, nowMs: number): IdempotencyBegin | Claim | undefined {
    const running = claims.get(claimKey(scope, key));
    if (running === undefined) return undefined;
    // As for a row: another body under this key is refused, whether its request runs or not.
    if (running.requestHash !== requestHash) return { kind: 'mismatch' };
    if (running.leaseUntilMs > nowMs) return { kind: 'in-progress' };
    return running;
  }

  /** What begin answers when the key is taken; otherwise what a claim of it takes over, if anything. */
  function look(scope: string, key: string, requestHash: string, nowMs: number): IdempotencyBegin | FreeKey {
    const stored = lookStored(scope, key, requestHash, nowMs);
    if (typeof stored === 'object') return stored;
    const running = lookRunning(scope, key, requestHash, nowMs);
    if (running !== undefined && 'kind' in running) return running;
    return { stored, running };
  }

  /**
   * A write that claims its key: the look and the claim run in the write's own transaction, so
   * no claim is held in between, and a key that is taken leaves the write undone. The row is
   * inserted without a read first: a key is nearly always new, and the insert's own unique
   * check finds the rare one that is not, which is only then read, and refused by a throw that
   * undoes the write with its savepoint (batcher.ts). A write that changes nothing, or fails,
   * writes no row, so it reads the key, to be refused as a taken key was before it ran.
   */
  function claimingRun<T>(answer: KeptAnswer, claim: KeyClaim, work: () => T, applied: (value: T) => boolean): Promise<T> {
    const { scope, key, response } = answer;
    const { requestHash, nowMs } = claim;
    const refuse = (seen: IdempotencyBegin) => new ClaimRefused(`the Idempotency-Key is taken (${seen.kind})`);
    const refuseIfTaken = () => {
      const stored = lookStored(scope, key, requestHash, nowMs);
      if (typeof stored === 'object') throw refuse(stored);
    };
    return batcher.run(() => {
      const running = lookRunning(scope, key, requestHash, nowMs);
      if (running !== undefined && 'kind' in running) throw refuse(running);
      let done: T;
      try {
        done = work();
      } catch (error) {
        refuseIfTaken();
        throw error;
      }
      if (!applied(done)) {
        refuseIfTaken();
        return done;
      }
      const row = { requestHash, createdAtMs: running?.createdAtMs ?? nowMs, leaseUntilMs: nowMs + claim.leaseMs };
      if (!insertRow(scope, key, response, row)) {
        refuseIfTaken();
        // A row a request of an earlier version left in progress, its lease run out: this one's answer replaces it.
        writeRow(scope, key, response, row);
      }
      // A claim whose lease ran out belonged to a request that hung: the answer is this one's now.
      if (running !== undefined) putClaim(claimKey(scope, key), undefined);
      return done;
    });
  }

  /** Claims a key look() found free. A claim whose lease ran out belongs to a request that hung or lost its answer: this one takes over. */
  function take(claim: CommitClaim, seen: FreeKey): void {
    const { stored, running } = seen;
    sweepExpired(claim.nowMs);
    putClaim(claimKey(claim.scope, claim.key), { requestHash: claim.requestHash, createdAtMs: running?.createdAtMs ?? claim.nowMs, leaseUntilMs: claim.nowMs + claim.leaseMs, tookOver: stored === 'expired' });
  }

  const answers: AnswerKeeper = {
    claimFor(claim, work, applied) {
      return batcher.run(() => {
        const seen = look(claim.scope, claim.key, claim.requestHash, claim.nowMs);
        if ('kind' in seen) throw new ClaimRefused(`the Idempotency-Key is taken (${seen.kind})`);
        const done = work();
        if (applied(done)) take(claim, seen);
        return done;
      });
    },

    async run(answer, work, applied) {
      if (answer === undefined) return batcher.run(work);
      if (answer.claim !== undefined) return claimingRun(answer, answer.claim, work, applied);
      let claim: Claim | undefined;
      const value = await batcher.run(() => {
        const done = work();
        if (applied(done)) claim = record(answer.scope, answer.key, answer.response);
        return done;
      });
      release(answer.scope, answer.key, claim);
      return value;
    },
  };

  const store: IdempotencyStore = {
    claimsInWrites: true,

    async begin(scope, key, requestHash, nowMs, leaseMs) {
      // No refuseNul here: scope and key are only compared as bound parameters (all bytes count)
      // and never read back, so a NUL in them is harmless, and refusing would turn a hostile
      // path's 404 into a 422 before the route could answer.
      const seen = look(scope, key, requestHash, nowMs);
      if ('kind' in seen) return seen;
      take({ scope, key, requestHash, nowMs, leaseMs }, seen);
      return { kind: 'started' };
    },

    async complete(scope, key, response) {
      const claim = await batcher.run(() => record(scope, key, response));
      release(scope, key, claim);
    },

    async abandon(scope, key) {
      const name = claimKey(scope, key);
      const claim = claims.get(name);
      claims.delete(name);
      // A row is there only when the claim took one over; overload refusals abandon without a write.
      if (claim === undefined || claim.tookOver) await batcher.run(() => prepare(sql.abandon).run(scope, key));
    },

    async purgeOlderThan(beforeMs, limit) {
      if (!(limit >= 1)) return 0;
      const most = Math.min(Math.floor(limit), idempotencyPurgeMax);
      const purged = await batcher.run(() => purgeOldest(beforeMs, most));
      let forgotten = 0;
      for (const [name, claim] of claims) {
        if (purged + forgotten >= most) break;
        if (claim.createdAtMs < beforeMs) {
          claims.delete(name);
          forgotten += 1;
        }
      }
      return purged + forgotten;
    },
  };
  return { store, answers };
}
