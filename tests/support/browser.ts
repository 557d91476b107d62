/**
 * Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core
 * (Playwright's own browser download does not work offline).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './server.js';

const EXECUTABLE = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(EXECUTABLE)) {
    throw new Error(`Chromium is not at ${EXECUTABLE}: install it with "apt-get install -y chromium" (or set CAIRN_CHROMIUM).`);
  }
  return chromium.launch({
    executablePath: EXECUTABLE,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  });
}

/** Where tests put screenshots (gitignored). */
export function screenshotPath(name: string): string {
  const dir = join(ROOT, 'test-results');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
