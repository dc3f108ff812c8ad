/**
 * A real headless Chromium (Debian's `chromium` package, installed by test/fleet/prepare-machine.sh)
 * driven by playwright-core, which downloads no browser of its own. Each launch gets a fresh
 * profile directory, removed on close.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian installs Chromium. */
export const CHROMIUM = process.env.DROVER_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that work on this project's machines (root, no GPU, no network beyond the test's). */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** A browser with a fresh profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium; throws naming the package to install when it is missing (never a silent skip). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y --no-install-recommends chromium, or run test/fleet/prepare-machine.sh)`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'drover-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 800 } });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Logs `page` in to the status page at `url` with an API token (the login form), cookies of an earlier
 * login cleared first; returns the path the form led to (`/` on success).
 */
export async function logIn(context: BrowserContext, page: Page, url: string, token: string): Promise<string> {
  await context.clearCookies();
  await page.goto(`${url}/login`);
  await page.fill('input[name=token]', token);
  await page.click('form[action="/login"] button');
  return new URL(page.url()).pathname;
}
