import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); .ci/run installs it when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';

export const haveChromium = (): boolean => existsSync(CHROMIUM);

/**
 * describe() when Chromium is there. Without it the suite is skipped on a developer's machine,
 * and fails in CI (CI=true), where a skipped browser test would hide a broken install step.
 */
export function browserDescribe(name: string, body: () => void): void {
  if (haveChromium()) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has Debian Chromium to run in', () => {
        throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium package (apt-get install -y chromium; .ci/run does it when it is missing)`);
      });
    });
  } else {
    // Deliberate: a machine with only Node and npm runs `npm test` without Chromium; the skip
    // names what to install. In CI (CI=true) the branch above fails instead.
    describe.skip(`${name} (skipped: ${CHROMIUM} is missing; apt-get install -y chromium)`, body);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Root in a container needs --no-sandbox. The rest keeps Chromium off the network, which
    // here is closed: no background fetches, component updates, sync or QUIC probes.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface ConsoleWatch {
  /** Console errors and uncaught exceptions, as text. */
  errors: string[];
}

/**
 * Collects a page's console errors and uncaught exceptions. Chromium logs every HTTP error
 * answer as "Failed to load resource"; `expectedStatuses` lists the ones a test provokes on
 * purpose (a 401 before signing in), which are left out.
 */
export function watchConsole(page: Page, expectedStatuses: number[] = []): ConsoleWatch {
  const watch: ConsoleWatch = { errors: [] };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text);
    if (status && expectedStatuses.includes(Number(status[1])) && message.location().url.includes('/api/audit/')) return;
    watch.errors.push(`console: ${text} (${message.location().url})`);
  });
  page.on('pageerror', (error) => watch.errors.push(`pageerror: ${error.message}`));
  return watch;
}

// The project's type check has no DOM library: the in-page functions see this much of it.
// They are functions, not strings (the page's CSP forbids the eval a string needs), and they
// run in the page: they may use nothing of this module but types.
interface InPage {
  document: { querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }> };
}

/** Waits until `selector` matches exactly `n` elements. */
export async function waitForCount(page: Page, selector: string, n: number): Promise<void> {
  await page.waitForFunction(({ selector, n }) => (globalThis as unknown as InPage).document.querySelectorAll(selector).length === n, { selector, n });
}

/** Waits until every element `selector` matches has an attribute starting with `prefix`. */
export async function waitForEvery(page: Page, selector: string, attribute: string, prefix: string): Promise<void> {
  await page.waitForFunction(
    ({ selector, attribute, prefix }) => Array.from((globalThis as unknown as InPage).document.querySelectorAll(selector)).every((el) => (el.getAttribute(attribute) ?? '').startsWith(prefix)),
    { selector, attribute, prefix },
  );
}

/** Whether the element has the keyboard focus. */
export function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === el.ownerDocument.activeElement);
}
