// The HTTP app: the same Hono app on every runtime. It wires middleware and routes around a
// Shop, and turns every failure into problem+json; nothing here touches Node or a database.

import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv, AppOptions } from './env.ts';
import { failureAnswer } from './failure.ts';
import { adminAuth } from './middleware/admin-auth.ts';
import { admission, admissionGates } from './middleware/admission.ts';
import { jsonBody } from './middleware/body.ts';
import { noStore } from './middleware/cache.ts';
import { cors, storeCors } from './middleware/cors.ts';
import { idempotency } from './middleware/idempotency.ts';
import { requestId } from './middleware/request-id.ts';
import { problemResponse } from './problem.ts';
import { adminEventRoutes } from './routes/admin-events.ts';
import { adminOrderRoutes } from './routes/admin-orders.ts';
import { adminProductRoutes } from './routes/admin-products.ts';
import { adminStockRoutes } from './routes/admin-stock.ts';
import { mediaRoutes } from './routes/media.ts';
import { opsRoutes, type DocsAssets } from './routes/ops.ts';
import { storeCartRoutes } from './routes/store-carts.ts';
import { storeCatalogRoutes } from './routes/store-catalog.ts';
import { storeOrderRoutes } from './routes/store-orders.ts';

export function createApp(options: AppOptions, docsAssets?: DocsAssets): OpenAPIHono<AppEnv> {
  const { shop, metrics, logger } = options;
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      const first = issues[0];
      const detail = first === undefined ? 'The request is not valid.' : `${first.path || 'body'}: ${first.message}`;
      return problemResponse(c, 'validation', detail, { errors: issues.slice(0, 20) });
    },
  });

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const startedAt = performance.now();
    await next();
    metrics.observeRequest(c.req.method, c.req.routePath, c.res.status, performance.now() - startedAt);
  });

  app.use('/store/*', cors({ origins: options.corsOrigins, ...storeCors }));

  app.use('/admin/*', adminAuth(options.adminKey));
  app.use('/store/carts/*', noStore());
  app.use('/store/carts', noStore());
  app.use('/store/orders/*', noStore());
  app.use('/admin/*', noStore());

  // Checkout outranks everything: its budget is separate, so carts and admin cannot use it up.
  // One counter per class, shared by every route of the class: the budget is per class.
  const gates = options.gates ?? admissionGates(options.inFlightMax);
  const cartAdmission = admission(gates.cart);
  app.on('POST', '/store/carts/:id/checkout', admission(gates.checkout));
  // Each path once: Hono's `/lines/*` also matches `/lines` itself, which counted a line added
  // through the app twice against the budget.
  for (const path of ['/store/carts', '/store/carts/:id', '/store/carts/:id/lines', '/store/carts/:id/lines/:lineId']) app.use(path, cartAdmission);
  app.use('/admin/*', admission(gates.admin));

  app.use('/store/*', jsonBody(options.bodyBytesMax));
  app.use('/admin/*', jsonBody(options.bodyBytesMax));
  app.use('/store/*', idempotency(shop.deps.store.idempotency, shop.deps.clock, options.hashText));
  app.use('/admin/*', idempotency(shop.deps.store.idempotency, shop.deps.clock, options.hashText));

  storeCatalogRoutes(app, options);
  storeCartRoutes(app, options);
  storeOrderRoutes(app, options);
  adminProductRoutes(app, options);
  adminStockRoutes(app, options);
  adminOrderRoutes(app, options);
  adminEventRoutes(app, options);
  mediaRoutes(app, options);
  opsRoutes(app, options, docsAssets);

  app.notFound((c) => problemResponse(c, 'route-not-found', `No route for ${c.req.method} ${c.req.path}.`));

  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      if (error.status === 415) return problemResponse(c, 'unsupported-media-type', 'Send the body as application/json.');
      if (error.status === 413) return problemResponse(c, 'payload-too-large', error.message);
      return problemResponse(c, 'malformed-json', error.message || 'The request could not be read.');
    }
    const { status, headers, body } = failureAnswer(error, { metrics, logger, requestId: c.get('requestId') });
    return c.body(body, status as 500, headers);
  });

  return app;
}
