// Product images of the demo catalog, drawn on request as SVG: no image host is needed.

import type { OpenAPIHono } from '@hono/zod-openapi';
import { productImageSvg } from '../../seed/product-image.ts';
import type { AppEnv, AppOptions } from '../env.ts';
import { problemResponse } from '../problem.ts';

export function mediaRoutes(app: OpenAPIHono<AppEnv>, { shop }: AppOptions): void {
  app.get('/media/products/:file', async (c) => {
    const match = /^([a-z0-9-]{1,120})\.svg$/.exec(c.req.param('file'));
    const product = match?.[1] === undefined ? undefined : await shop.deps.store.catalog.getProductBySlug(match[1]);
    if (product === undefined || !product.published) return problemResponse(c, 'not-found', 'No image with this name.', { resource: 'image' });
    return c.body(productImageSvg(product), 200, {
      'content-type': 'image/svg+xml',
      'cache-control': 'public, max-age=86400, stale-while-revalidate=604800',
    });
  });
}
