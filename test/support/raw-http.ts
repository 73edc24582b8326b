// A request through node:http, for tests that compare answers byte for byte: it leaves gzip
// bodies compressed (fetch would inflate them) and sends exactly the headers and bytes given.

import { request as httpRequest } from 'node:http';

export interface RawAnswer {
  status: number;
  /** Every header, names in lower case, repeated ones joined. */
  headers: Record<string, string>;
  body: Buffer;
}

export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(new URL(path, base), { method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
        resolve({ status: incoming.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
