// What an error thrown while answering becomes, on every path that answers: a domain error its
// problem (a sold-out one counted per SKU), anything else logged and answered as internal, with
// the request id that finds it in the log. The app's error handler and the order fast path both
// answer through here.

import { isDomainError, type DomainError } from '../core/errors.ts';
import { problemAnswer, type ProblemAnswer } from './problem.ts';
import type { HttpLogger, HttpMetrics } from './ports.ts';

/** What a request gets when something failed on our side; the details stay in the log. */
export function internalProblem(): ProblemAnswer {
  return problemAnswer('internal', 'Something went wrong on our side; the request id identifies it in our logs.');
}

/** A sold-out answer counts a stock-out per SKU it names. */
function countStockOuts(metrics: HttpMetrics, error: DomainError): void {
  if (error.code !== 'sold-out') return;
  const shortages = error.extras['shortages'];
  if (Array.isArray(shortages)) for (const shortage of shortages) metrics.countStockOut(String((shortage as { sku?: unknown }).sku));
}

export function failureAnswer(error: unknown, context: { metrics: HttpMetrics; logger: HttpLogger; requestId: string }): ProblemAnswer {
  if (isDomainError(error)) {
    countStockOuts(context.metrics, error);
    return problemAnswer(error.code, error.message, error.extras);
  }
  context.logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error), requestId: context.requestId }, 'unhandled error');
  return internalProblem();
}
