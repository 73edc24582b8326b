// A loopback port nothing listens on right now, for servers that cannot be told to pick their
// own (PostgreSQL, Redis, HAProxy). Another process could take it before ours does; the
// harnesses fail loudly if that happens rather than talk to the wrong server.

import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
