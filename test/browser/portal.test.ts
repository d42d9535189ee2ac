/// <reference lib="dom" />
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_LOCALES } from '../../src/lib/i18n/locales.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { event, makeParticipant, makeProgram, unique } from '../support/factories.ts';

// The referrer's portal in real Chromium: signed in by the link the business's backend asks for,
// accessible in every language and colour scheme at a phone's width, and usable with JavaScript off.

let t: TestApp;
let browser: Browser;
let base: string;
let participantId: string;
let code: string;

/** A browser context signed in to the portal through a fresh sign-in link, as a referrer would be. */
async function signedIn(
  options: Parameters<Browser['newContext']>[0] = {},
  locale?: string,
): Promise<BrowserContext> {
  const asked = await t.api('POST', '/v1/portal_sessions', {
    participant_id: participantId,
    ...(locale ? { locale } : {}),
  });
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${base}${new URL(asked.body.url).pathname}`);
  await page.close();
  return context;
}

beforeAll(async () => {
  // Over plain HTTP here, so the cookie must not be Secure: the public URL says http.
  t = await createTestApp({ VOUCH_PUBLIC_URL: 'http://127.0.0.1' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const program = await makeProgram(t, {
    name: 'Northwind Coffee',
    payout_minimums: { EUR: 5000 },
    rewards: { referrer: { amount: 1000, currency: 'EUR' }, referee: { amount: 1500, currency: 'EUR' } },
  });
  const referrer = await makeParticipant(t, program.id, { name: 'Ada Lovelace' });
  participantId = referrer.id;
  code = referrer.referral_code;
  for (const [email, buys] of [
    ['sam@example.net', true],
    ['lee@example.org', false],
  ] as const) {
    const friend = unique('friend');
    await t.api('POST', '/v1/events', {
      ...event('signup', friend, { referral: { code } }),
      customer: { external_id: friend, email },
    });
    if (buys) await t.api('POST', '/v1/events', event('purchase', friend, { amount: 4200, currency: 'EUR' }));
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the portal in Chromium', () => {
  describe.each(['light', 'dark'] as const)('in %s', (colorScheme) => {
    it.each(SHIPPED_LOCALES)('has no WCAG 2.2 AA violation in %s, and fits 375 px', async (locale) => {
      const context = await signedIn(
        { colorScheme, viewport: { width: 375, height: 740 }, bypassCSP: true },
        locale,
      );
      try {
        const page = await context.newPage();
        expect((await page.goto(`${base}/p/`))?.status()).toBe(200);
        expect(await page.getAttribute('html', 'lang')).toBe(locale);
        expect(await accessibilityViolations(page)).toEqual([]);
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
        ).toBeLessThanOrEqual(0);
      } finally {
        await context.close();
      }
    });
  });

  it('copies the link with the copy button, and counts the copy as a share', async () => {
    const context = await signedIn();
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
      });
      await page.goto(`${base}/p/`);
      const copy = page.getByRole('button', { name: 'Copy link' });
      await copy.click();
      await expect
        .poll(() => page.evaluate(() => navigator.clipboard.readText()))
        .toBe(`http://127.0.0.1/r/${code}`);
      expect(await page.textContent('#copy-link')).toBe('Copied');
      const copies = () =>
        t.store.db
          .selectFrom('shares')
          .select('channel')
          .where('participant_id', '=', participantId)
          .where('channel', '=', 'copy')
          .execute();
      await expect.poll(async () => (await copies()).length).toBe(1);
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('works with JavaScript off: the link, the QR code, a share button, and signing out', async () => {
    const context = await signedIn({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/p/`);
      expect(await page.inputValue('#referral-link')).toBe(`http://127.0.0.1/r/${code}`);
      expect(await page.$eval('img.qr', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      expect(await page.textContent('tbody')).toContain('s***@example.net');
      // The copy button needs the script; without it the link is there to select.
      expect(await page.isVisible('#copy-link')).toBe(false);

      // The share button is a link through Vouch, which records it and sends the browser on.
      const share = await page.getByRole('link', { name: 'WhatsApp' }).getAttribute('href');
      expect(share).toBe('/p/share/whatsapp');
      const onward = await context.request.get(`${base}${share}`, { maxRedirects: 0 });
      expect(onward.status()).toBe(303);
      expect(onward.headers().location).toMatch(/^https:\/\/wa\.me\/\?text=/);

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/p/signed-out');
      expect(await page.textContent('h1')).toBe('You are signed out');
      expect((await page.goto(`${base}/p/`))?.status()).toBe(401);
    } finally {
      await context.close();
    }
  });
});
