// The storefront as the Node server serves it: the current built site at `/`, the API under
// its own paths, and a rebuild after catalog changes made through the Admin API. A rebuild
// runs in a child process into a new directory and is swapped in atomically once complete,
// so a request sees the old site or the new one, never a half-built one, and no restart.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogService } from '../core/catalog-service.ts';
import type { PricingConfig } from '../core/pricing.ts';
import type { HttpLogger } from '../http/ports.ts';
import type { StorefrontConfig } from './config.ts';
import { buildDigest, currentBuild, newBuildDir, publishBuild, renderSite, snapshotDigest, type BuildHandle } from './storefront-build.ts';
import { snapshotFromStore } from './storefront-catalog.ts';
import { openStaticSite, type StaticSite } from './static-files.ts';

type Fetch = (request: Request) => Response | Promise<Response>;

/** Paths that belong to the API; everything else a browser GETs is the storefront's. */
const apiPrefixes = ['/store', '/admin', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'];
/** Admin writes under these paths change what the pages show. */
const catalogPrefixes = ['/admin/products', '/admin/categories'];

const isUnder = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

export interface StorefrontOptions {
  config: StorefrontConfig;
  catalog: CatalogService;
  currency: string;
  shipping: PricingConfig['shipping'];
  /** The origin pages name in canonical URLs when the config names none. */
  serverUrl: string;
  logger: HttpLogger;
}

export interface LiveStorefront {
  fetch(request: Request, api: Fetch): Promise<Response>;
  /** Resolves once no build is running or waiting (tests use it to wait for a rebuild). */
  settled(): Promise<void>;
  /** The directory of the site being served, if one is built. */
  servingDir(): string | undefined;
  stop(): Promise<void>;
}

export function startStorefront(options: StorefrontOptions): LiveStorefront {
  const { config, logger } = options;
  const site = { siteUrl: config.siteUrl ?? options.serverUrl, apiOrigin: config.apiOrigin };
  const published = currentBuild(config.dir);
  let current: StaticSite | undefined = published === undefined ? undefined : openStaticSite(join(published, 'dist'));
  // Pages cached for up to a minute may still name the assets of the build before.
  let previous: StaticSite | undefined;
  let building: BuildHandle | undefined;
  let running: Promise<void> | undefined;
  let dirty = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiters: (() => void)[] = [];
  let lastFailure: string | undefined;

  const isSettled = () => running === undefined && timer === undefined;
  function wakeWaiters(): void {
    if (!isSettled()) return;
    for (const wake of waiters) wake();
    waiters = [];
  }

  async function rebuild(): Promise<void> {
    dirty = false;
    const snapshot = await snapshotFromStore(options.catalog, options.currency, options.shipping);
    const digest = snapshotDigest(snapshot, site);
    const served = currentBuild(config.dir);
    if (current !== undefined && served !== undefined && buildDigest(served) === digest) return;
    const buildDir = newBuildDir(config.dir);
    building = renderSite(snapshot, site, join(buildDir, 'dist'));
    try {
      const { durationMs } = await building.done;
      if (stopped) throw new Error('stopped');
      publishBuild(config.dir, buildDir, digest);
      previous = current;
      current = openStaticSite(join(buildDir, 'dist'));
      logger.info({ products: snapshot.products.length, durationMs: Math.round(durationMs), dir: buildDir }, 'storefront built and published');
      lastFailure = undefined;
    } catch (error) {
      rmSync(buildDir, { recursive: true, force: true });
      throw error;
    } finally {
      building = undefined;
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    dirty = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      // One build at a time; a change during a build is picked up by the next one.
      if (running !== undefined) return;
      running = rebuild()
        .catch((error: unknown) => {
          if (stopped) return;
          lastFailure = error instanceof Error ? error.message : String(error);
          logger.error({ err: lastFailure }, 'storefront build failed');
        })
        .finally(() => {
          running = undefined;
          if (dirty) schedule(config.rebuildDelayMs);
          wakeWaiters();
        });
    }, delayMs);
    timer.unref();
  }

  // A site built from another catalog (or none at all) is rebuilt at once.
  schedule(0);

  return {
    async fetch(request, api) {
      const { pathname } = new URL(request.url);
      const method = request.method;
      if ((method !== 'GET' && method !== 'HEAD') || apiPrefixes.some((prefix) => isUnder(pathname, prefix))) {
        const response = await api(request);
        if (method !== 'GET' && method !== 'HEAD' && response.status < 400 && catalogPrefixes.some((prefix) => isUnder(pathname, prefix))) {
          schedule(config.rebuildDelayMs);
        }
        return response;
      }
      if (current === undefined) return pleaseWait(lastFailure !== undefined);
      const response = current.serve(pathname, request) ?? (isUnder(pathname, '/_assets') ? previous?.serve(pathname, request) : undefined);
      if (response !== undefined) return response;
      // Images of products added since the last build are drawn by the API's media route.
      if (isUnder(pathname, '/media')) return api(request);
      return current.notFound(request);
    },
    settled() {
      return isSettled() ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    servingDir() {
      return current?.dir;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      building?.cancel();
      await running;
    },
  };
}

/** What `/` answers on the very first start, while the first build runs (or after it failed:
 *  the reason is in the server log, not on a public page). */
function pleaseWait(failed: boolean): Response {
  const [heading, text] = failed
    ? ['The shop is not available yet', 'The storefront could not be built; the server log says why. The next catalog change or restart tries again.']
    : ['The shop is being built', 'The storefront is being rendered for the first time; this page reloads by itself in a few seconds.'];
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `${failed ? '' : '<meta http-equiv="refresh" content="3">'}<title>${heading}</title></head><body><main>` +
    `<h1>${heading}</h1><p>${text}</p></main></body></html>`;
  return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': failed ? '60' : '3' } });
}
