import { type Browser, chromium } from 'playwright-core';

/** Headless Debian Chromium with nothing of its own on the network (no updates, sync, QUIC). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * This process's environment without libfaketime's preload and settings: the pages under test
 * read no clock of the suite's, so Chromium runs on the machine's real clock whatever date the
 * suite is run at (docs/testing.md), and a date years ahead never reaches its timers or build checks.
 */
function realClockEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined &&
        e[0] !== 'LD_PRELOAD' &&
        !e[0].startsWith('FAKETIME') &&
        e[0] !== 'DONT_FAKE_MONOTONIC',
    ),
  );
}

/** The one way tests start a browser: Debian's /usr/bin/chromium (installed by .ci/run). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    env: realClockEnv(process.env),
  });
}

/**
 * A page that may load only `file:` URLs (a self-contained report): every other request is
 * aborted and recorded, with the page's errors, for the test to assert both are empty.
 */
export async function offlinePage(browser: Browser, viewport = { width: 1200, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return { page, requests, errors };
}
