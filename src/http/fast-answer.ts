// What the fast paths in front of the app (catalog reads, the order flow's writes) take and give:
// a request as the runtime hands it over and an answer ready for the socket, with the headers
// the app's middleware would have added to the same answer.

import { corsHeaders, storeCors, varyOnOrigin } from './middleware/cors.ts';
import { requestIdFrom } from './middleware/request-id.ts';

export interface FastRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  header(name: string): string | undefined;
}

export interface FastAnswer {
  /** The route's path as the app names it in metrics (`/store/carts/:id/lines`). */
  route: string;
  status: number;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer> | string | null;
}

/**
 * Adds what the Store API's middleware adds to every answer (CORS for the storefront's origins,
 * Vary on Origin, the request id) to `headers`, in place.
 */
export function storeAnswerHeaders(corsOrigins: readonly string[]): (request: FastRequest, headers: Record<string, string>, requestId?: string) => void {
  const corsFor = corsHeaders({ origins: corsOrigins, ...storeCors });
  return (request, headers, requestId) => {
    const { allowOrigin, exposeHeaders } = corsFor(request.header('origin'));
    if (allowOrigin !== undefined) headers['access-control-allow-origin'] = allowOrigin;
    headers['access-control-expose-headers'] = exposeHeaders;
    headers['vary'] = varyOnOrigin(headers['vary']);
    headers['x-request-id'] = requestId ?? requestIdFrom(request.header('x-request-id'));
  };
}
