// Operations: liveness, readiness, metrics, the OpenAPI document and its interactive docs.

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, AppOptions } from '../env.ts';
import { problemResponse } from '../problem.ts';

export interface DocsAssets {
  /** A Swagger UI asset by file name, served by the runtime (no third-party host). */
  get(file: string): Promise<{ body: string; contentType: string } | undefined>;
}

const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>peakcart API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body>
</html>`;

const docsInit = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });`;

export function opsRoutes(app: OpenAPIHono<AppEnv>, options: AppOptions, docsAssets: DocsAssets | undefined): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' }));

  app.get('/readyz', async (c) => {
    if (!options.isReady()) return problemResponse(c, 'overloaded', 'This instance is shutting down.');
    try {
      await options.pingStore();
    } catch {
      return problemResponse(c, 'store-unavailable', 'The store does not answer.');
    }
    return c.json({ status: 'ready' }, 200, { 'cache-control': 'no-store' });
  });

  app.get('/metrics', async (c) => {
    const { contentType, body } = await options.metrics.render();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'peakcart',
      version: '0.1.0',
      description: 'Headless commerce API. Errors are RFC 9457 problem+json; money is integer minor units.',
    },
    servers: [{ url: '/' }],
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', { type: 'http', scheme: 'bearer' });

  app.get('/docs', (c) => c.html(docsPage));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (file === 'docs-init.js') return c.body(docsInit, 200, { 'content-type': 'text/javascript; charset=utf-8' });
    const asset = await docsAssets?.get(file);
    if (asset === undefined) return problemResponse(c, 'route-not-found', 'No such asset.');
    return c.body(asset.body, 200, { 'content-type': asset.contentType, 'cache-control': 'public, max-age=86400' });
  });
}
