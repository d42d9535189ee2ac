/// <reference lib="dom" />
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_LOCALES } from '../../src/lib/i18n/locales.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { makeParticipant, makeProgram } from '../support/factories.ts';

// The friend's share page in real Chromium: accessible in every language and colour scheme, laid
// out at a phone's width, and followed with JavaScript off to the business's landing page.

let t: TestApp;
let browser: Browser;
let base: string;
let code: string;
let participantId: string;
let landing: http.Server;
let landingUrl: string;

beforeAll(async () => {
  // The business's own site, on a second local port: where the referral link lands.
  landing = http.createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>Landing</title><h1>Welcome</h1>');
  });
  await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
  landingUrl = `http://127.0.0.1:${(landing.address() as { port: number }).port}/welcome`;
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const program = await makeProgram(t, {
    name: 'Northwind Coffee',
    landing_url: landingUrl,
    rewards: {
      referrer: { amount: 1000, currency: 'EUR' },
      referee: { amount: 1500, currency: 'EUR', kind: 'coupon', code_pattern: 'FRIEND-{8}' },
    },
  });
  const participant = await makeParticipant(t, program.id, { name: 'Ada Lovelace' });
  code = participant.referral_code;
  participantId = participant.id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await new Promise((resolve) => landing?.close(resolve));
});

describe('the share page in Chromium', () => {
  describe.each(['light', 'dark'] as const)('in %s', (colorScheme) => {
    it.each(SHIPPED_LOCALES)('has no WCAG 2.2 AA violation in %s, and fits 375 px', async (locale) => {
      const context = await browser.newContext({
        colorScheme,
        viewport: { width: 375, height: 740 },
        bypassCSP: true,
      });
      try {
        const page = await context.newPage();
        const res = await page.goto(`${base}/s/${code}?locale=${locale}`);
        expect(res?.status()).toBe(200);
        expect(await page.getAttribute('html', 'dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
        expect(await accessibilityViolations(page)).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      } finally {
        await context.close();
      }
    });
  });

  it('applies its stylesheet under its own Content-Security-Policy, and the policy refuses nothing on it', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
      });
      await page.goto(`${base}/s/${code}`);
      const button = await page.$eval('a.button', (a) => getComputedStyle(a).backgroundColor);
      // The brand colour of the light scheme: the inline stylesheet ran, allowed by its hash.
      expect(button).toBe('rgb(31, 79, 209)');
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('works with JavaScript off: another language by its link, then on through the referral link', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/s/${code}?utm_source=newsletter`);
      await page.getByRole('link', { name: 'Deutsch' }).click();
      await expect.poll(() => page.textContent('h1')).toBe('Ada hat dich zu Northwind Coffee eingeladen');
      await page.getByRole('link', { name: 'Einladung annehmen' }).click();
      await page.waitForURL((url) => url.pathname === '/welcome');

      const arrived = new URL(page.url());
      expect(arrived.origin + arrived.pathname).toBe(landingUrl);
      expect(arrived.searchParams.get('vouch_ref')).toBe(code);
      const clickId = arrived.searchParams.get('vouch_click');
      expect(clickId).toMatch(/^clk_/);
      const cookies = await context.cookies(base);
      expect(cookies.map((c) => c.name)).toContain('vouch_ref');
      const click = await t.store.db
        .selectFrom('clicks')
        .select(['participant_id', 'utm_source'])
        .where('id', '=', String(clickId))
        .executeTakeFirst();
      expect(click).toEqual({ participant_id: participantId, utm_source: 'newsletter' });
    } finally {
      await context.close();
    }
  });
});
