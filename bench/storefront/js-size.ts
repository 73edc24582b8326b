// JavaScript a page ships: every script the browser fetched while loading it (entry modules and
// the chunks they import), sized raw, gzipped (level 9) and as the server sent it.

import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { chromiumPath } from './lighthouse.ts';

export interface JsFigures {
  url: string;
  scripts: { url: string; rawBytes: number; gzipBytes: number }[];
  rawBytes: number;
  gzipBytes: number;
}

export async function measureJs(url: string): Promise<JsFigures> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const pending: Promise<{ url: string; rawBytes: number; gzipBytes: number }>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script') return;
      pending.push(response.body().then((body) => ({ url: new URL(response.url()).pathname, rawBytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length })));
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    const scripts = await Promise.all(pending);
    return {
      url,
      scripts,
      rawBytes: scripts.reduce((sum, script) => sum + script.rawBytes, 0),
      gzipBytes: scripts.reduce((sum, script) => sum + script.gzipBytes, 0),
    };
  } finally {
    await browser.close();
  }
}
