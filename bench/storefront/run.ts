// npm run bench:storefront — the storefront's figures on the 200-product demo catalog:
//   build time of the full site (from the store, `runs` times), JavaScript shipped to a product
//   page, Lighthouse (mobile) on home, a category and a product page, served by peakcart itself,
//   and the time from an Admin API change to the changed page being served. Writes bench/results/storefront.json. Nothing here is asserted; it is measured.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '../../src/cli/seed.ts';
import { loadConfig } from '../../src/runtime/config.ts';
import { openShop, startServer, systemClock } from '../../src/runtime/node.ts';
import { renderSite } from '../../src/runtime/storefront-build.ts';
import { snapshotFromStore } from '../../src/runtime/storefront-catalog.ts';
import { measureJs } from './js-size.ts';
import { runLighthouse, type LighthouseFigures } from './lighthouse.ts';

const buildRuns = Number(process.env['BENCH_BUILD_RUNS'] ?? 3);
const resultsDir = join(import.meta.dirname, '..', 'results');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'peakcart-bench-storefront-'));
  try {
    const env = {
      PEAKCART_DB: join(dir, 'peakcart.db'),
      PEAKCART_ADMIN_KEY: 'bench-admin-key',
      PEAKCART_STOREFRONT: 'on',
      PORT: '0',
      PEAKCART_LOG_LEVEL: 'warn',
    };
    const config = loadConfig(env);

    // 1. The demo catalog, and the full-site build timed from the store.
    const { shop, store } = await openShop(config);
    await seedDemo(store, systemClock.nowMs());
    const snapshot = await snapshotFromStore(shop.catalog, config.shop.defaultCurrency, config.shop.pricing.shipping);
    await store.close();
    const buildMs: number[] = [];
    for (let run = 0; run < buildRuns; run++) {
      const outDir = join(dir, `build-${run}`);
      const { durationMs } = await renderSite(snapshot, { siteUrl: 'http://127.0.0.1:8080', apiOrigin: '' }, outDir).done;
      buildMs.push(Math.round(durationMs));
      rmSync(outDir, { recursive: true, force: true });
      console.log(`build ${run + 1}/${buildRuns}: ${(durationMs / 1000).toFixed(2)} s for ${snapshot.products.length} products`);
    }

    // 2. The site served by peakcart, as `npm start` serves it.
    const server = await startServer(config);
    try {
      await server.storefront?.settled();
      const product = snapshot.products.find((candidate) => candidate.variants.length > 1) ?? snapshot.products[0];
      const category = snapshot.categories[0];
      if (product === undefined || category === undefined) throw new Error('the demo catalog is empty');
      const pages = { home: `${server.url}/`, category: `${server.url}/categories/${category.slug}/`, product: `${server.url}/products/${product.slug}/` };

      const js = await measureJs(pages.product);
      console.log(`JavaScript on a product page: ${js.gzipBytes} B gzipped (${js.rawBytes} B raw) in ${js.scripts.length} files`);

      const lighthouse: Record<string, LighthouseFigures> = {};
      for (const [name, url] of Object.entries(pages)) {
        const figures = await runLighthouse(url);
        lighthouse[name] = figures;
        console.log(`Lighthouse ${name}: performance ${figures.performance}, accessibility ${figures.accessibility}, best practices ${figures.bestPractices}, SEO ${figures.seo}` + ` (LCP ${figures.largestContentfulPaintMs} ms, TBT ${figures.totalBlockingTimeMs} ms, CLS ${figures.cumulativeLayoutShift})`);
        if (figures.failing.length > 0) console.log(`  not fully passing: ${figures.failing.join(', ')}`);
      }

      // 3. A catalog change through the Admin API until the changed page is served.
      const renamedTitle = `${product.title} (renamed)`;
      const changedAt = performance.now();
      const patched = await fetch(`${server.url}/admin/products/${product.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${env.PEAKCART_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: renamedTitle }),
      });
      if (patched.status !== 200) throw new Error(`PATCH answered ${patched.status}`);
      let changeServedMs = Number.NaN;
      for (const deadline = performance.now() + 120_000; performance.now() < deadline; ) {
        const html = await (await fetch(pages.product)).text();
        if (html.includes(renamedTitle)) {
          changeServedMs = Math.round(performance.now() - changedAt);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      console.log(`Admin API change to the page served: ${changeServedMs} ms (rebuild delay ${config.storefront.rebuildDelayMs} ms + full build)`);

      const result = {
        measuredAt: new Date().toISOString(),
        machine: 'shared 2-core development box; server, build and Chromium on one machine',
        catalog: { products: snapshot.products.length, categories: snapshot.categories.length },
        build: { runs: buildMs, medianMs: [...buildMs].sort((a, b) => a - b)[Math.floor(buildMs.length / 2)] },
        productPageJs: js,
        catalogChange: { changeServedMs, rebuildDelayMs: config.storefront.rebuildDelayMs },
        lighthouse,
      };
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, 'storefront.json'), `${JSON.stringify(result, null, 2)}\n`);
      console.log(`wrote ${join(resultsDir, 'storefront.json')}`);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
