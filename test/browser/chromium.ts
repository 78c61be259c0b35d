import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/** Debian's chromium (CI installs it with apt-get); CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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

/** Collects page errors and console errors, which every test expects to stay empty. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`${msg.text()} ${msg.location().url}`));
  return errors;
}

/**
 * `describe` for browser suites: skipped visibly without Chromium, or failing under
 * REQUIRE_SERVICES=1 (CI), where a missing browser must never pass as green.
 */
export function describeWithChromium(title: string, body: () => void): void {
  const has = existsSync(CHROMIUM);
  const required = process.env.REQUIRE_SERVICES === '1';
  const skipped = `[skipped: ${CHROMIUM} not found; apt-get install -y chromium, or REQUIRE_SERVICES=1 to make this fail]`;
  if (!has && !required) console.warn(`${title} ${skipped}`);
  describe.skipIf(!has)(`${title}${has ? '' : ` ${skipped}`}`, () => {
    body();
  });
  // Registered only when it can fail (a skipped twin would count as skipped on every green run).
  (!has && required ? describe : undefined)?.(`${title}: prerequisites`, () => {
    it(`has ${CHROMIUM}`, () => {
      expect(existsSync(CHROMIUM), `REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`).toBe(true);
    });
  });
}
