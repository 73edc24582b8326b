// Debian's Chromium driven by playwright-core: never a downloaded browser. Without the binary
// the browser tests skip, naming the package to install; under CI=true they fail instead.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  if (process.env['CI'] === 'true') throw new Error(`${chromiumPath} is missing; CI must install it (apt-get install chromium)`);
  return `${chromiumPath} is missing: apt-get install chromium`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Presses Tab until the focused element matches `selector` (keyboard-only navigation). */
export async function tabTo(page: Page, selector: string, pressesMax = 60): Promise<void> {
  for (let press = 0; press < pressesMax; press++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) === true) return;
  }
  throw new Error(`${selector} was not reached by ${pressesMax} presses of Tab`);
}

/** Collects errors the page throws or logs, so a test can assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (402|409|410)/.test(message.text())) errors.push(message.text());
  });
  return errors;
}
