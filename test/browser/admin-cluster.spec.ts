import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpApp, TOKEN, type HttpApp } from '../admin/http-app.js';
import { bootApp } from '../support/app.js';
import { AutoConnection } from '../support/controlled-connection.js';
import { describeWithServices } from '../support/services.js';
import { until } from '../support/until.js';
import { describeWithChromium, launchChromium, pageErrors } from './chromium.js';

const BASE = '/admin/connections';

await describeWithServices(['redis'], 'U6 admin page of a cluster (Redis transport)', () => {
  describeWithChromium('U6 in Chromium', () => {
    const channel = `nc-test.ops-ui-${randomUUID().slice(0, 8)}`;
    const cluster = (instanceId: string) => ({ transport: 'redis', instanceId, channel, key: 'the-ops-ui-cluster-key-0123456', heartbeat: 200 });
    let http: HttpApp;
    let other: INestApplicationContext;
    let browser: Browser;

    beforeAll(async () => {
      http = await startHttpApp({ connections: [AutoConnection], cluster: cluster('web-1') } as never);
      other = (await bootApp({ connections: [AutoConnection], cluster: cluster('worker-1') } as never)).app;
      await until(() => http.registry.cluster!.status().members.length === 2, 'both replicas to know each other');
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await other?.close();
      await http?.app.close();
    });

    it('U6 lists the replicas with their last-seen times, this one marked', async () => {
      const page = await browser.newPage();
      const errors = pageErrors(page);
      await page.goto(`${http.origin}${BASE}/ui#token=${encodeURIComponent(TOKEN)}`);
      await page.locator('#cluster').waitFor({ state: 'visible' });
      await page.locator('#replicas li[data-replica="worker-1"]').waitFor();
      const replicas = await page.locator('#replicas li').allTextContents();
      expect(replicas).toEqual([expect.stringMatching(/^web-1 \(this replica\).* last seen \S+/), expect.stringMatching(/^worker-1 .*last seen \S+/)]);
      expect(await page.textContent('#cluster-summary')).toMatch(/^redis · \S+ · 2 replica\(s\)/);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
