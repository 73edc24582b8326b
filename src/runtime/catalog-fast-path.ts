// Node's side of the catalog fast path: a request listener in front of the Hono app's. It sends
// the fast path's answer straight to the socket, or hands the request to the app when the fast
// path declines it or fails before a byte was written (the app then answers, errors included).

import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { CatalogFastPath, FastAnswer } from '../http/catalog-fast-path.ts';
import type { HttpMetrics } from '../http/ports.ts';

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function send(response: ServerResponse, answer: FastAnswer): void {
  const { headers, body } = answer;
  if (body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  response.writeHead(answer.status, headers);
  response.end(body ?? undefined);
}

/** A `createServer` for @hono/node-server that puts the fast path before the app's listener. */
export function serverWithFastPath(fastPath: CatalogFastPath, metrics: HttpMetrics): (options: ServerOptions, appListener: RequestListener) => Server {
  return (options, appListener) =>
    createServer(options, (request, response) => {
      const startedAt = performance.now();
      const pending = fastPath({ method: request.method ?? '', url: request.url ?? '', header: (name) => headerOf(request, name) });
      if (pending === undefined) {
        appListener(request, response);
        return;
      }
      pending
        .then((answer) => {
          send(response, answer);
          metrics.observeRequest('GET', answer.route, answer.status, performance.now() - startedAt);
        })
        .catch(() => {
          if (!response.headersSent) appListener(request, response);
          else response.destroy();
        });
    });
}
