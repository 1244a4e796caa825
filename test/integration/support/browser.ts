/**
 * The browser suites' harness: one headless Chromium (Debian's package, or CHROMIUM_PATH) driven by
 * playwright-core — one browser for the whole integration run (global-setup starts it as a server,
 * each suite connects: a suite's fresh context is a fresh profile), or a browser of its own when a
 * suite runs without that server — and a guard that fails the test on any console error or uncaught
 * page error. Chromium itself reports every HTTP error answer of a fetch as a
 * console error ("Failed to load resource: … status of 410"); the contract makes some of those the
 * point of a step (a dead link is 410, ended access 401), so a step names the API answers it
 * expects (`expectApiErrors`) and exactly those are let through — anything else fails.
 *
 *   launchBrowser()                → the browser (close it in afterAll: a shared one is only disconnected)
 *   launchBrowserWithBackForwardCache() → a browser of its own with the back/forward cache a real Chrome
 *                                    has (Playwright turns it off by default): Back may show a kept page
 *   startBrowserServer()           → the shared browser (global-setup), its endpoint in BROWSER_WS_ENV
 *   watch(page, apiUrl)            → { errors, expectApiErrors(...statuses), clearExpected() }
 *   screenshot(page, name)         → .local/screenshots/<name>.png, for a person to look at
 *   backTwicePastHostedUi(tab, heading) → Back to the hosted UI and Back again to the start page kept from
 *                                    before the sign-in: it must show `heading`, signed in
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = path.join(ROOT, '.local', 'screenshots');

export function chromiumPath(): string {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => fs.existsSync(p));
  // Never a skip: a browser suite that does not run has not passed.
  if (!found) throw new Error('No Chromium: run `node test/ensure-chromium.cjs` (installs Debian\'s chromium as root) or set CHROMIUM_PATH.');
  return found;
}

/** Where the shared browser listens (set by global-setup for the suites). */
export const BROWSER_WS_ENV = 'PORTAL_BROWSER_WS';

const launchOptions = () => ({
  executablePath: chromiumPath(),
  headless: true,
  // Without the background-networking switches Chromium keeps calling home, which this closed network refuses.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** The run's shared browser, if global-setup started one; else a browser of the suite's own. */
export function launchBrowser(): Promise<Browser> {
  const shared = process.env[BROWSER_WS_ENV];
  return shared ? chromium.connect(shared) : chromium.launch(launchOptions());
}

/**
 * Playwright starts Chromium with --disable-back-forward-cache; a person's Chrome keeps recent pages
 * whole, and Back shows them again without loading them. What Back shows after a sign-out is tested here.
 */
export function launchBrowserWithBackForwardCache(): Promise<Browser> {
  return chromium.launch({ ...launchOptions(), ignoreDefaultArgs: ['--disable-back-forward-cache'] });
}

/** One Chromium for every browser suite of a run: started once, beside the stack. */
export async function startBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer(launchOptions());
}

export interface ConsoleWatch {
  /** What went wrong so far (a test asserts it is empty). */
  readonly errors: string[];
  /** The API answers (statuses) this step expects to see refused, and so lets through once each. */
  expectApiErrors(...statuses: number[]): void;
}

export function watch(page: Page, apiUrl: string): ConsoleWatch {
  const errors: string[] = [];
  const expected: number[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(message.text());
    const at = expected.indexOf(Number(status?.[1]));
    if (status && message.location().url.startsWith(apiUrl) && at >= 0) {
      expected.splice(at, 1);
      return;
    }
    errors.push(`console error: ${message.text()} (${message.location().url})`);
  });
  return {
    errors,
    expectApiErrors: (...statuses) => expected.push(...statuses),
  };
}

/**
 * How many lines each word of each element's first text takes, per element matching `selector` (a
 * word broken inside takes two): `[[1, 1], …]` when every name wraps only between its words.
 */
export async function wordLines(page: Page, selector: string): Promise<number[][]> {
  return (await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((element) => {
    const text = element.firstChild; const out = []; let at = 0;
    for (const word of text.data.split(' ')) {
      const range = document.createRange(); range.setStart(text, at); range.setEnd(text, at + word.length);
      out.push(new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size);
      at += word.length + 1;
    }
    return out;
  })`)) as number[][];
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Right after a sign-in on the start page: Back goes to the hosted UI, which answers at once (its
 * session on) and lands on the start page signed in; Back once more reaches the start page as the
 * back/forward cache kept it, signed out, from before the sign-in. Both must show `heading` signed in.
 */
export async function backTwicePastHostedUi(tab: Page, heading: string): Promise<void> {
  for (let back = 0; back < 2; back++) {
    await tab.goBack({ waitUntil: 'commit' });
    await tab.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 10_000 });
  }
  expect(new URL(tab.url()).pathname).toBe('/');
  await tab.getByRole('button', { name: 'Sign out' }).waitFor();
  expect(await tab.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
}
