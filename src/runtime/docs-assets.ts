// Swagger UI's files from the swagger-ui-dist package, so /docs needs no third-party host.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocsAssets } from '../http/routes/ops.ts';

const files: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

export function swaggerUiAssets(): DocsAssets {
  const root = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));
  const cache = new Map<string, string>();
  return {
    async get(file) {
      const contentType = files[file];
      if (contentType === undefined) return undefined;
      let body = cache.get(file);
      if (body === undefined) {
        body = await readFile(join(root, file), 'utf8');
        cache.set(file, body);
      }
      return { body, contentType };
    },
  };
}
