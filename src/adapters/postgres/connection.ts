// The connection pool of the scale-out store and the one way it runs transactions: retried on
// serialization failures and deadlocks with jittered backoff, and failing fast with a
// 'store-unavailable' DomainError (503 + Retry-After) when the database cannot be reached.

import postgres from 'postgres';
import { DomainError } from '../../core/errors.ts';

export type Sql = postgres.Sql;
/** A connection inside a transaction (postgres.js's TransactionSql), or the pool itself. */
export type Tx = postgres.TransactionSql | postgres.Sql;

export interface ConnectionOptions {
  url: string;
  /** Most connections this process opens (default poolConnectionsMax). */
  poolMax?: number;
  /** The schema the tables live in (default: the server's search_path, i.e. public). */
  schema?: string;
}

export const poolConnectionsMax = 10;
/** A connect that takes longer than this fails, so a request never hangs on a dead database. */
export const connectTimeoutS = 3;
/** The server cancels a statement after this (a lock queue on a hot row included). */
export const statementTimeoutMs = 5_000;
/** The server ends a session idle inside a transaction after this, freeing its row locks. */
export const idleInTransactionTimeoutMs = 10_000;
/**
 * The last resort against a hanging request: a store call that has not settled after this
 * answers 503 (the database's own timeouts and the connection's close normally come first).
 * Its outcome is then unknown, as after a lost connection, and the callers' retries are safe.
 */
export const callDeadlineMs = 6_000;
/** How often a transaction is tried when it loses a serialization race or a deadlock. */
export const transactionAttemptsMax = 12;
/** Longest wait before a lost connection is opened again. */
export const reconnectBackoffMaxS = 0.5;
const backoffBaseMs = 2;
const backoffMaxMs = 200;

export function connect(options: ConnectionOptions): Sql {
  const connection: Record<string, string> = {
    application_name: 'peakcart',
    statement_timeout: String(statementTimeoutMs),
    idle_in_transaction_session_timeout: String(idleInTransactionTimeoutMs),
  };
  if (options.schema !== undefined) connection['search_path'] = options.schema;
  return postgres(options.url, {
    max: options.poolMax ?? poolConnectionsMax,
    connect_timeout: connectTimeoutS,
    idle_timeout: 60,
    // Connections are recycled now and then, so a restarted or failed-over server is found again.
    max_lifetime: 30 * 60,
    onnotice: () => {},
    // postgres.js waits before reconnecting a closed connection, 3^n/100 s by default (up to 20 s)
    // with n counting every failure since start: queries queued behind that timer would hang
    // for seconds after a database restart. Short and capped, so they fail or go through fast.
    backoff: (failures: number) => Math.min(reconnectBackoffMaxS, 0.02 * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2),
    // int8 columns hold milliseconds and counters, all well inside Number's safe range.
    types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) } },
    connection,
  });
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const retryableStates = new Set(['40001', '40P01']);

/** SQLSTATEs (and driver codes) meaning the database is not there to answer right now. */
const unavailableStates = new Set([
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available
  '40003', // statement_completion_unknown (CockroachDB: the outcome of a commit is ambiguous)
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export function isRetryable(error: unknown): boolean {
  return error instanceof RetryTransaction || retryableStates.has(errorCode(error) ?? '');
}

export function isUnavailable(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  // Class 08 is "connection exception" in PostgreSQL and CockroachDB alike.
  return unavailableStates.has(code) || code.startsWith('08');
}

/**
 * Another session created the same object at the same moment: for `CREATE … IF NOT EXISTS`
 * PostgreSQL reports the loser as duplicate_table, duplicate_object (the row type of the
 * table) or a unique violation on its catalog, depending on where the two met.
 */
export function isConcurrentCreate(error: unknown): boolean {
  const code = errorCode(error);
  return code === '42P07' || code === '42710' || code === '23505';
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (errorCode(error) !== '23505') return false;
  if (constraint === undefined) return true;
  const name = typeof error === 'object' && error !== null && 'constraint_name' in error ? error.constraint_name : undefined;
  return name === constraint;
}

/** Thrown inside a transaction to have it rolled back and run again from the start. */
export class RetryTransaction extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'RetryTransaction';
  }
}

/** A failure of the database itself becomes a DomainError the HTTP layer answers with 503. */
export function translateError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  if (isUnavailable(error)) {
    return new DomainError('store-unavailable', 'The database does not answer right now; try again shortly.');
  }
  return error;
}

function backoffMs(attempt: number): number {
  const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** attempt);
  // Full jitter: racing instances spread out instead of colliding again in step.
  return Math.random() * ceiling;
}

/**
 * Like Promise.all for statements pipelined on one transaction, but settles only when every
 * statement did: no statement of a failed transaction is still on its way when it rolls back.
 */
export async function all(statements: ReadonlyArray<Promise<unknown>>): Promise<unknown[]> {
  const settled = await Promise.allSettled(statements);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value);
}

/** Runs one read outside a transaction, translating database failures. */
export async function read<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(work());
  } catch (error) {
    throw translateError(error);
  }
}

function withDeadline<T>(pending: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DomainError('store-unavailable', `The database did not answer within ${callDeadlineMs} ms.`)), callDeadlineMs);
  });
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs `work` in a transaction, again from the start after a serialization failure or deadlock
 * (the database rolled it back, so nothing of it stayed). A connection failure is not retried:
 * whether a COMMIT that lost its connection took effect is unknown, and the callers' own
 * retries (idempotency keys, orders unique per cart) are what make trying again safe.
 */
export async function transaction<T>(sql: Sql, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return withDeadline(transactionWithRetries(sql, work));
}

async function transactionWithRetries<T>(sql: Sql, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // The callback's value is whatever work resolved to; postgres.js types it more loosely.
      return (await sql.begin((tx) => guarded(tx, work))) as T;
    } catch (error) {
      if (isRetryable(error) && attempt < transactionAttemptsMax) {
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
        continue;
      }
      if (isRetryable(error)) {
        throw new DomainError('store-unavailable', `The write lost ${attempt} races in a row; try again shortly.`);
      }
      throw translateError(error);
    }
  }
}

/** Errors after which the connection is gone for good (the server or the socket closed it). */
const connectionLostStates = new Set(['57P01', '57P02', 'ECONNRESET', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED']);

function isConnectionLost(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return connectionLostStates.has(code) || code.startsWith('08');
}

function isTemplateCall(args: unknown[]): boolean {
  const first = args[0];
  return Array.isArray(first) && 'raw' in first;
}

/**
 * Runs `work` on a transaction connection that refuses new statements once the connection was
 * lost. postgres.js 3.4.9 crashes the whole process (an uncaught TypeError in its deferred
 * write, porsager/postgres#1154 and #1208) when a statement, or the ROLLBACK it sends after a
 * failed callback, is written to a connection whose socket already closed. So after a lost
 * connection no statement is sent, and the callback never settles: postgres.js then sends no
 * ROLLBACK, and `begin` itself rejects through the connection's close (the server has rolled
 * the transaction back already). What stays behind is one pending closure per lost connection.
 */
function guarded<T>(tx: postgres.TransactionSql, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  let lost = false;
  const watch = (query: unknown): void => {
    if (query instanceof Promise) {
      query.catch((error: unknown) => {
        if (isConnectionLost(error)) lost = true;
      });
    }
  };
  const refuse = (): never => {
    throw Object.assign(new Error('the database connection was lost'), { code: 'CONNECTION_CLOSED' });
  };
  const proxy = new Proxy(tx, {
    apply(target, thisArg, args: unknown[]) {
      if (lost && isTemplateCall(args)) refuse();
      const result: unknown = Reflect.apply(target, thisArg, args);
      if (isTemplateCall(args)) watch(result);
      return result;
    },
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'unsafe' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (lost) refuse();
        const result: unknown = Reflect.apply(value, target, args);
        watch(result);
        return result;
      };
    },
  });
  return work(proxy).catch((error: unknown) => {
    if (lost || isConnectionLost(error)) return new Promise<T>(() => {});
    throw error;
  });
}
