// The storefront's build: every page pre-rendered from a catalog snapshot (PEAKCART_CATALOG),
// styles inlined (no render-blocking CSS request), scripts bundled with hashed names.
import { defineConfig } from 'astro/config';

export default defineConfig({
  site: process.env.PEAKCART_SITE_URL || 'http://127.0.0.1:8080',
  outDir: process.env.PEAKCART_STOREFRONT_OUT || './dist',
  output: 'static',
  trailingSlash: 'ignore',
  compressHTML: true,
  devToolbar: { enabled: false },
  cacheDir: process.env.PEAKCART_STOREFRONT_CACHE ? `${process.env.PEAKCART_STOREFRONT_CACHE}/astro` : './node_modules/.astro',
  build: { format: 'directory', inlineStylesheets: 'always', assets: '_assets' },
  vite: {
    // A cache per build: concurrent builds (a test suite next to npm start) must not share one.
    cacheDir: process.env.PEAKCART_STOREFRONT_CACHE || 'node_modules/.vite',
    build: { assetsInlineLimit: 0 },
  },
});
