// The Store API as the islands call it: same origin unless the build names another one (the
// <meta name="peakcart-api"> tag), and every failure read as a problem+json with a code.

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

export class ApiError extends Error {
  readonly problem: Problem;
  readonly code: string;
  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
    this.code = problem.type.split('/').pop() ?? 'unknown';
  }
  /** An answer that decided nothing, so the same request goes again with the same
   *  Idempotency-Key: no answer at all, a server fault or overload (never stored under a key),
   *  or the first request with this key still running. Anything else ends the attempt. */
  get retryable(): boolean {
    return this.problem.status === 0 || this.problem.status >= 500 || this.code === 'idempotency-in-progress';
  }
}

const apiOrigin = document.querySelector<HTMLMetaElement>('meta[name="peakcart-api"]')?.content ?? '';

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await fetch(apiOrigin + path, { ...init, headers });
  } catch {
    throw new ApiError({ type: 'network', title: 'No connection', status: 0, detail: 'The shop could not be reached. Check your connection and try again.' });
  }
  const text = await response.text();
  const body = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const problem = (body ?? {}) as Partial<Problem>;
    throw new ApiError({ ...problem, type: problem.type ?? 'http', title: problem.title ?? response.statusText, status: response.status, detail: problem.detail ?? `The shop answered ${response.status}.` });
  }
  return body as T;
}

export function money(amountMinor: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amountMinor / 100);
}

/** Text with HTML special characters escaped, for the few templates built as strings. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
