// Debian's Chromium driven by playwright-core: nothing is downloaded. Without Chromium on the
// machine the browser tests skip, saying why (CI installs it, so CI never skips).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's chromium; CHROMIUM_PATH names another build. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** false when Chromium is there; otherwise the reason the browser tests skip. */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM_PATH)
  ? false
  : `no Chromium at ${CHROMIUM_PATH}: install Debian's "chromium" package to run the browser tests`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const projectRoot = join(__dirname, '..', '..', '..', '..');
/**
 * Every run takes the pictures; `UPDATE_SCREENSHOTS=1 npm test` writes them over the docs'
 * (docs/screenshots), otherwise they land in test-results/ so a test run leaves git clean.
 */
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS
  ? join(projectRoot, 'docs', 'screenshots')
  : join(projectRoot, 'test-results', 'screenshots');

/**
 * Saves docs/screenshots/<name>.png: the pictures of the README and docs/setup-page.md are taken
 * by the test run. A part of the page is cut from a full-page capture, where the sticky header
 * stays at the top instead of covering the part.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  const page = 'goto' in target ? target : target.page();
  // From the top, the sticky header is drawn where it belongs in a full-page capture.
  await page.evaluate('window.scrollTo(0, 0)');
  if (page === target) {
    await page.screenshot({ path, fullPage: true });
    return;
  }
  const box = await (target as Locator).boundingBox();
  if (!box) throw new Error(`${name}: nothing visible to take a picture of`);
  const scroll = await page.evaluate<{ x: number; y: number }>('({ x: window.scrollX, y: window.scrollY })');
  await page.screenshot({ path, fullPage: true, clip: { ...box, x: box.x + scroll.x, y: box.y + scroll.y } });
}

/** Collects the page's script errors, so a broken page fails the test instead of only looking empty. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    // The API's 4xx answers are logged as failed loads; the page shows them itself.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  return errors;
}
