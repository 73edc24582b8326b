// peakcart storefront build [--out DIR] [--api URL] [--site URL] [--api-origin URL]
//   Renders the static storefront from the store (default) or from a running Store API (--api).
//   Without --out it publishes into the server's storefront directory, which `serve
//   --storefront` serves; with --out it writes a plain dist/ for any static host or CDN.

import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../runtime/config.ts';
import { openShop } from '../runtime/node.ts';
import { newBuildDir, publishBuild, renderSite, snapshotDigest } from '../runtime/storefront-build.ts';
import { snapshotFromApi, snapshotFromStore, type CatalogSnapshot } from '../runtime/storefront-catalog.ts';

function flag(flags: string[], name: string): string | undefined {
  const index = flags.indexOf(name);
  return index === -1 ? undefined : flags[index + 1];
}

export async function storefrontCommand(flags: string[]): Promise<number> {
  if (flags[0] !== 'build') {
    console.error('usage: peakcart storefront build [--out DIR] [--api URL] [--site URL] [--api-origin URL]');
    return 2;
  }
  const config = loadConfig(process.env);
  const apiUrl = flag(flags, '--api');
  const site = {
    siteUrl: flag(flags, '--site') ?? config.storefront.siteUrl ?? `http://${config.host}:${config.port}`,
    apiOrigin: flag(flags, '--api-origin') ?? config.storefront.apiOrigin,
  };
  const shipping = config.shop.pricing.shipping;
  const currency = config.shop.defaultCurrency;
  let snapshot: CatalogSnapshot;
  if (apiUrl !== undefined) {
    snapshot = await snapshotFromApi(apiUrl, currency, shipping);
  } else {
    const { shop, store } = await openShop(config);
    try {
      snapshot = await snapshotFromStore(shop.catalog, currency, shipping);
    } finally {
      await store.close();
    }
  }
  const out = flag(flags, '--out');
  if (out !== undefined) {
    const outDir = resolve(out);
    if (existsSync(outDir)) rmSync(outDir, { recursive: true });
    const { durationMs } = await renderSite(snapshot, site, outDir).done;
    console.log(`Built the storefront (${snapshot.products.length} products) into ${outDir} in ${(durationMs / 1000).toFixed(1)} s.`);
    return 0;
  }
  const buildDir = newBuildDir(config.storefront.dir);
  try {
    const { durationMs } = await renderSite(snapshot, site, join(buildDir, 'dist')).done;
    publishBuild(config.storefront.dir, buildDir, snapshotDigest(snapshot, site));
    console.log(`Built and published the storefront (${snapshot.products.length} products) in ${(durationMs / 1000).toFixed(1)} s: ${buildDir}`);
  } catch (error) {
    rmSync(buildDir, { recursive: true, force: true });
    throw error;
  }
  return 0;
}
