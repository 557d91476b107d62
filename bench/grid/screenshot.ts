/**
 * `npx tsx bench/grid/screenshot.ts`: screenshots of the dev grid page in light and dark
 * (test-results/grid-*.png), after `npx vite build`. For looking at, not for asserting.
 */
import { screenshotPath } from '../../tests/support/browser.js';
import { startGridApp } from './app.js';

const app = await startGridApp();
try {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await app.browser.newPage({ colorScheme: scheme, viewport: { width: 1100, height: 620 }, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => console.error('page error', e));
    page.on('console', (m) => m.type() === 'error' && console.error('console', m.text()));
    await page.goto(`${app.base}/dev/grid?rows=1000000&truncated`);
    await page.waitForSelector('[role=grid] .data');
    // Select a range, sort a column, open the filters: the states worth seeing.
    await page.click('.data:nth-child(3) .td[data-c="1"]');
    await page.click('.data:nth-child(5) .td[data-c="2"]', { modifiers: ['Shift'] });
    await page.click('.th:nth-of-type(2) .th-button');
    await page.click('.filter-toggle');
    await page.fill('input[aria-label="Filter city"]', 'zür');
    await page.screenshot({ path: screenshotPath(`grid-${scheme}`) });
    await page.locator('[role=grid]').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForTimeout(100);
    await page.screenshot({ path: screenshotPath(`grid-${scheme}-bottom`) });
    await page.close();
  }
  console.log('wrote test-results/grid-*.png');
} finally {
  await app.close();
}
