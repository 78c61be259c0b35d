import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BaseConnection, Connection, type ConnectionInfo, type ConnectionPoolInfo } from 'nestjs-connections';
import { startHttpApp, TOKEN, type HttpApp } from '../admin/http-app.js';
import { AutoConnection } from '../support/controlled-connection.js';
import { describeWithChromium, launchChromium, pageErrors } from './chromium.js';

const BASE = '/admin/connections';
const ARTIFACTS = 'test/artifacts';

/** Fails to connect with a message full of markup, which the page must show as text. */
@Connection({ name: 'broken' })
class BrokenConnection extends BaseConnection<object> {
  protected override _connect(): object {
    throw new Error('<img id="xss" src=x onerror="window.__pwned=1"> refused');
  }
}

/** A pool, a ttl, and what other parts of the package add to `info()` (a rejected reload, the next refresh): the page renders each when present. */
@Connection({ name: 'orders', ttl: '15m' })
class OrdersConnection extends BaseConnection<object> {
  protected override _connect(): object {
    return {};
  }
  protected override _pool(): ConnectionPoolInfo {
    return { used: 3, idle: 5, waiting: 1, max: 10 };
  }
  override info(): ConnectionInfo {
    return {
      ...super.info(),
      refreshAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      config: { status: 'rejected', at: new Date().toISOString(), error: 'secrets.toml line 4: pool.max must be a number' },
    } as ConnectionInfo;
  }
}

/** One instance per tenant: the page shows the key count and a searchable key list. */
@Connection({ name: 'tenants', keyed: { maxEntries: 100 } })
class TenantsConnection extends BaseConnection<object> {
  protected override _connect(): object {
    return {};
  }
}

const field = (name: string, f: string) => `[data-name="${name}"] [data-field="${f}"]`;

/** Waits until the field shows exactly `text` (the page updates it from the API and the event stream). */
async function shows(page: Page, name: string, f: string, text: string): Promise<void> {
  await page.locator(`${field(name, f)}:text-is(${JSON.stringify(text)})`).waitFor({ timeout: 10_000 });
}

describeWithChromium('admin page in a real browser (Chromium)', () => {
  let http: HttpApp;
  let browser: Browser;

  beforeAll(async () => {
    http = await startHttpApp({ connections: [AutoConnection, BrokenConnection, OrdersConnection, TenantsConnection] }, { token: TOKEN });
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await http?.app.close();
  });

  async function open(width = 1280): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(`${http.origin}${BASE}/ui#token=${encodeURIComponent(TOKEN)}`);
    await page.locator('#status:text-is("live")').waitFor();
    return { page, errors };
  }

  it('U1 shows every connection from the snapshot, with its timeline; markup in data stays text', async () => {
    const auto = http.app.get(AutoConnection);
    await auto.resolve(); // generation 1, before the page is opened
    await expect(http.app.get(BrokenConnection).resolve()).rejects.toThrow('failed to connect');
    const { page, errors } = await open();

    await shows(page, 'auto', 'state', 'connected');
    await shows(page, 'auto', 'generation', '1');
    await shows(page, 'auto', 'leases', '0');
    await shows(page, 'broken', 'state', 'failed');
    await shows(page, 'broken', 'failures', '1');
    expect(await page.textContent(field('auto', 'connected-at'))).not.toBe('\u2014');
    // The timeline is not blank: the snapshot carried the events from before the page opened.
    await shows(page, 'auto', 'event-count', '2');
    expect(await page.locator(`${field('auto', 'timeline')} li`).evaluateAll((lis) => lis.map((li) => li.getAttribute('data-type')))).toEqual([
      'connected',
      'connecting',
    ]);
    // Health is checked on demand only: opening the page connects nothing.
    await shows(page, 'tenants', 'state', 'idle');
    await shows(page, 'tenants', 'health', 'not checked');

    expect(page.url()).not.toContain(TOKEN); // the token left the address bar
    expect(await page.textContent(field('broken', 'last-error'))).toContain('<img id="xss"');
    expect(await page.locator('#xss').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('U2 states and the timeline change live; reset asks to confirm (Cancel, Escape, Reset) and shows the ResetResult', async () => {
    const auto = http.app.get(AutoConnection);
    await auto.resolve();
    const { page, errors } = await open();
    const generation = auto.generation;
    await shows(page, 'auto', 'state', 'connected');

    // Live: a reset made by the app (not by the page) shows up through the event stream.
    await auto.reset();
    await shows(page, 'auto', 'state', 'idle');
    await page.locator(`${field('auto', 'timeline')} li[data-type="reset"]`).first().waitFor({ state: 'attached', timeout: 10_000 });
    await auto.resolve();
    await shows(page, 'auto', 'generation', String(generation + 1));
    await shows(page, 'auto', 'state', 'connected');
    const resets = auto.info().resets;

    // Cancel: nothing happens.
    await page.click('[data-name="auto"] [data-action="reset"]');
    await page.locator('#confirm[open]').waitFor();
    expect(await page.textContent('#confirm-title')).toBe('Reset auto?');
    await page.click('#confirm-cancel');
    await page.locator('#confirm:not([open])').waitFor({ state: 'attached' });
    // Keyboard: Enter on the focused button opens it, Escape closes it, focus comes back.
    await page.focus('[data-name="auto"] [data-action="reset"]');
    await page.keyboard.press('Enter');
    await page.locator('#confirm[open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#confirm:not([open])').waitFor({ state: 'attached' });
    expect(await page.evaluate('document.activeElement && document.activeElement.getAttribute("aria-label")')).toBe('Reset auto');
    expect(auto.info().resets).toBe(resets);
    expect(auto.state).toBe('connected');

    // Confirmed: the connection goes idle and the answer is shown.
    await page.click('[data-name="auto"] [data-action="reset"]');
    await page.click('#confirm-ok');
    await page.locator(`#result:text-is("auto: reset, generation ${generation + 1} \u2192 ${generation + 1}")`).waitFor();
    await shows(page, 'auto', 'state', 'idle');
    expect(auto.info().resets).toBe(resets + 1);

    // Swap: the replacement connects at once.
    await auto.resolve();
    await shows(page, 'auto', 'state', 'connected');
    await page.check('#swap');
    await page.click('[data-name="auto"] [data-action="reset"]');
    await page.click('#confirm-ok');
    await page.locator(`#result:text-is("auto: reset, generation ${generation + 2} \u2192 ${generation + 3}")`).waitFor();
    await shows(page, 'auto', 'generation', String(generation + 3));

    // Reset all: confirmed, one line per connection.
    await page.uncheck('#swap');
    await page.click('#reset-all');
    expect(await page.textContent('#confirm-title')).toBe('Reset all 4 connections?');
    await page.click('#confirm-ok');
    await page.locator('#result:has-text("broken: nothing to reset")').waitFor();
    expect((await page.textContent('#result'))!.split('\n')).toHaveLength(4);
    await shows(page, 'auto', 'state', 'idle');

    // Check now pings (connecting an idle connection).
    await page.click('[data-name="auto"] [data-action="check"]');
    await page.locator(`${field('auto', 'health')}:text-matches("^up \u00b7 ")`).waitFor();
    await shows(page, 'auto', 'state', 'connected');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('U3 renders pool, ttl, next refresh, a rejected reload and the searchable key list when present', async () => {
    await http.app.get(OrdersConnection).resolve();
    const tenants = http.app.get(TenantsConnection);
    for (const key of ['acme', 'globex', 'initech']) await tenants.for(key).resolve();
    const { page, errors } = await open();
    await shows(page, 'orders', 'state', 'connected');
    await shows(page, 'orders', 'pool', '3 used \u00b7 5 idle \u00b7 1 waiting \u00b7 max 10');
    expect(await page.textContent(field('orders', 'ttl'))).toMatch(/^15m \(expires .+\)$/);
    expect(await page.textContent(field('orders', 'refresh-at'))).not.toBe('\u2014');
    expect(await page.textContent(field('orders', 'config'))).toContain('rejected');
    expect(await page.isVisible(field('orders', 'config'))).toBe(true);
    expect(await page.isVisible(field('auto', 'config'))).toBe(false);
    await shows(page, 'tenants', 'key-count', '3 of at most 100');
    expect(await page.isHidden('[data-name="auto"] [data-part="keys"]')).toBe(true);
    await page.click('[data-name="tenants"] [data-part="keys"] summary');
    await page.locator(`${field('tenants', 'keys')} li`).nth(2).waitFor();
    await page.fill(field('tenants', 'key-search'), 'glo');
    expect(await page.locator(`${field('tenants', 'keys')} li`).allTextContents()).toEqual([expect.stringMatching(/^globex/)]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('U4 usable at 400 px and at 1440 px: no horizontal scrolling; screenshots kept as artifacts', async () => {
    await http.app.get(AutoConnection).resolve();
    await http.app.get(OrdersConnection).resolve();
    await http.app.get(TenantsConnection).for('acme').resolve();
    for (const width of [400, 1440]) {
      const { page, errors } = await open(width);
      await shows(page, 'orders', 'state', 'connected');
      await page.click('[data-name="auto"] [data-action="check"]');
      await page.locator(`${field('auto', 'health')}:text-matches("^up")`).waitFor();
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
      const columns = await page.evaluate<number>("getComputedStyle(document.getElementById('conns')).gridTemplateColumns.split(' ').length");
      expect(columns, `cards per row at ${width} px`).toBe(width === 400 ? 1 : 3);
      await page.click('[data-name="auto"] [data-part="timeline"] summary');
      await page.screenshot({ path: `${ARTIFACTS}/admin-ui-${width}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('U5 a missing token and a refused one get different messages; the right one opens the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${http.origin}${BASE}/ui`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.textContent('#login-message')).toMatch(/^An admin token is needed/);
    await page.fill('#token', 'wrong-token');
    await page.click('#login button[type="submit"]');
    await page.locator('#login-message:text-matches("^The admin token was refused")').waitFor();
    await page.fill('#token', TOKEN);
    await page.click('#login button[type="submit"]');
    await shows(page, 'auto', 'name', 'auto');
    expect(await page.isHidden('#login')).toBe(true);
    await page.close();
  });
});
