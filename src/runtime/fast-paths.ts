// Node's side of the fast paths: a request listener in front of the Hono app's. A catalog read
// or an order-flow write the fast paths take is answered straight to the socket; anything they
// leave goes to the app's listener untouched. A write whose body was read and then handed back
// (nothing changed yet) goes to the app's fetch with those bytes, and its answer to the socket.

import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { CatalogFastPath } from '../http/catalog-fast-path.ts';
import type { FastAnswer, FastRequest } from '../http/fast-answer.ts';
import type { OrderFastPath } from '../http/order-fast-path.ts';
import { internalProblem } from '../http/failure.ts';
import type { HttpMetrics } from '../http/ports.ts';

export interface FastPaths {
  catalog: CatalogFastPath;
  orders: OrderFastPath;
  /** The app's fetch, for a write handed back after its body was read. */
  fetch(request: Request, env: unknown): Response | Promise<Response>;
  metrics: HttpMetrics;
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function fastRequestOf(request: IncomingMessage): FastRequest {
  return { method: request.method ?? '', url: request.url ?? '', header: (name) => headerOf(request, name) };
}

function send(response: ServerResponse, answer: Pick<FastAnswer, 'status' | 'headers' | 'body'>): void {
  const { headers, body } = answer;
  if (body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  response.writeHead(answer.status, headers);
  response.end(body ?? undefined);
}

/** The body's bytes; the length was declared and bounded before the path took the request. */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks));
    });
    request.once('error', reject);
    // 'close' follows every request; only before 'end' does it mean the client went away. The
    // error is made only then: its stack trace costs more than the rest of the read.
    request.once('close', () => {
      if (!ended) reject(new Error('the request closed before its body ended'));
    });
  });
}

/** Decodes as the Fetch API's text() does: UTF-8, a leading BOM dropped, bad bytes replaced. */
const utf8 = new TextDecoder();

/** The app answers a request whose body this listener already read, from the same bytes. */
async function forward(paths: FastPaths, request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const host = request.headers.host;
  const origin = host !== undefined && URL.canParse(`http://${host}/`) ? `http://${host}` : 'http://localhost';
  const answer = await paths.fetch(new Request(origin + (request.url ?? '/'), { method: request.method ?? 'POST', headers, body }), { incoming: request, outgoing: response });
  const bytes = new Uint8Array(await answer.arrayBuffer());
  const out: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    out[name] = value;
  });
  send(response, { status: answer.status, headers: out, body: bytes });
}

/** The last word when something here failed after the request was taken: a problem, never a hang. */
function failed(response: ServerResponse): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  send(response, internalProblem());
}

/** A `createServer` for @hono/node-server that puts the fast paths before the app's listener. */
export function serverWithFastPaths(paths: FastPaths): (options: ServerOptions, appListener: RequestListener) => Server {
  const { catalog, orders, metrics } = paths;
  return (options, appListener) =>
    createServer(options, (request, response) => {
      const startedAt = performance.now();
      const fast = fastRequestOf(request);
      const read = catalog(fast);
      if (read !== undefined) {
        read
          .then((answer) => {
            send(response, answer);
            metrics.observeRequest('GET', answer.route, answer.status, performance.now() - startedAt);
          })
          .catch(() => {
            if (!response.headersSent) appListener(request, response);
            else response.destroy();
          });
        return;
      }
      const ticket = orders(fast);
      if (ticket === undefined) {
        appListener(request, response);
        return;
      }
      readBody(request).then(
        async (body) => {
          const answer = await ticket.answer(utf8.decode(body));
          if (answer === undefined) return forward(paths, request, response, body);
          send(response, answer);
          metrics.observeRequest('POST', answer.route, answer.status, performance.now() - startedAt);
        },
        () => {
          ticket.drop();
          response.destroy();
        },
      ).catch(() => failed(response));
    });
}
