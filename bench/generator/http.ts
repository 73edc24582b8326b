// One request through a keep-alive undici Pool, reduced to what the bench counts: a status key
// ("201", "304", "timeout", "conn-error"), the problem type of an error, and the JSON body
// when the flow needs it. Transport failures are answers too: nothing throws to the flow.

import type { Pool } from 'undici';

export interface Answer {
  /** The HTTP status, or 0 when there was none (timeout, connection lost). */
  status: number;
  statusKey: string;
  problemType: string | undefined;
  body: unknown;
  etag: string | undefined;
  retryAfterS: number | undefined;
}

export interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Parse a 2xx body as JSON (the flow needs an id from it); otherwise it is drained. */
  wantBody?: boolean;
}

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const problemPrefix = /^.*\/problems\//;

function failureKey(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && timeoutCodes.has(code)) return 'timeout';
  return 'conn-error';
}

export async function send(pool: Pool, call: Call): Promise<Answer> {
  try {
    const response = await pool.request({ method: call.method, path: call.path, headers: call.headers, body: call.body });
    const status = response.statusCode;
    const etagHeader = response.headers['etag'];
    const etag = typeof etagHeader === 'string' ? etagHeader : undefined;
    const retryAfterHeader = response.headers['retry-after'];
    const retryAfterS = typeof retryAfterHeader === 'string' ? Number(retryAfterHeader) : undefined;
    let body: unknown;
    let problemType: string | undefined;
    if (status >= 400) {
      const text = await response.body.text();
      try {
        const type = (JSON.parse(text) as { type?: unknown }).type;
        problemType = typeof type === 'string' ? type.replace(problemPrefix, '') : `http-${status}`;
      } catch {
        problemType = `http-${status}`;
      }
      // Overload must say when to come back; an answer that does not is counted apart.
      if ((status === 503 || status === 429) && retryAfterS === undefined) problemType = `${problemType}-without-retry-after`;
    } else if (call.wantBody === true && status < 300) {
      body = await response.body.json();
    } else {
      await response.body.dump();
    }
    return { status, statusKey: String(status), problemType, body, etag, retryAfterS };
  } catch (error) {
    const statusKey = failureKey(error);
    return { status: 0, statusKey, problemType: statusKey, body: undefined, etag: undefined, retryAfterS: undefined };
  }
}
