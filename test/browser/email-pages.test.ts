/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_LOCALES } from '../../src/lib/i18n/locales.ts';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { createEmailTestApp, type EmailTestApp } from '../support/emails.ts';
import { makeParticipant, makeProgram, unique } from '../support/factories.ts';
import { rawHeader } from '../support/smtp.ts';

// Signing in by email in real Chromium, with the link read from a real SMTP server; the sign-in,
// link and unsubscribe pages accessible in every language and colour scheme at a phone's width.

let t: EmailTestApp;
let browser: Browser;
let base: string;
let programId: string;

const pathOf = (url: string) => {
  const { pathname, search } = new URL(url);
  return `${pathname}${search}`;
};

/** Asks for a link in the browser's page, then reads it from the email that arrives. */
async function emailedLink(address: string): Promise<{ signIn: string; unsubscribe: string }> {
  const before = t.smtp.received.length;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/p/sign-in?program=${programId}`);
    await page.getByLabel('Email address').fill(address);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await expect.poll(() => page.textContent('h1')).toBe('Check your email');
  } finally {
    await context.close();
  }
  await t.deliver();
  const [mail] = await t.smtp.waitFor(before + 1).then((all) => all.slice(before));
  const signIn = /(http:\/\/127\.0\.0\.1\/p\/sign-in\/email\/[\w-]+)/.exec(mail?.mail.text ?? '')?.[1];
  if (!signIn) throw new Error(`no link in ${mail?.mail.text}`);
  const welcome = t.smtp.received.find(
    (r) => r.envelope.to.includes(address) && rawHeader(r, 'List-Unsubscribe'),
  );
  const unsubscribe =
    /<([^>]+)>/.exec(rawHeader(welcome ?? (mail as never), 'List-Unsubscribe') ?? '')?.[1] ?? '';
  return { signIn: pathOf(signIn), unsubscribe: pathOf(unsubscribe) };
}

beforeAll(async () => {
  t = await createEmailTestApp({ VOUCH_PUBLIC_URL: 'http://127.0.0.1' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  programId = (await makeProgram(t, { name: 'Northwind Coffee' })).id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('signing in by email in Chromium', () => {
  it('the emailed link opens a page whose button signs in, once', async () => {
    const address = `${unique('ada')}@example.com`;
    const ada = await makeParticipant(t, programId, { name: 'Ada Lovelace', email: address });
    await t.deliver();
    const { signIn } = await emailedLink(address);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${base}${signIn}`);
      expect(await context.cookies()).toEqual([]);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${base}/p/`);
      expect(await page.inputValue('#referral-link')).toBe(`http://127.0.0.1/r/${ada.referral_code}`);
      // The email choices: unticking one and saving it.
      await page.getByLabel('When a friend joins through your link').uncheck();
      await page.getByRole('button', { name: 'Save my email choices' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe('Your email choices are saved.');
      expect(await page.getByLabel('When a friend joins through your link').isChecked()).toBe(false);
      const second = await context.newPage();
      const again = await second.goto(`${base}${signIn}`);
      expect(again?.status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  describe.each(['light', 'dark'] as const)('in %s', (colorScheme) => {
    it.each(SHIPPED_LOCALES)(
      'the email pages have no WCAG 2.2 AA violation in %s, and fit 375 px',
      async (locale) => {
        const address = `${unique(locale)}@example.com`;
        await makeParticipant(t, programId, { email: address, locale });
        await t.deliver();
        const { signIn, unsubscribe } = await emailedLink(address);
        const context = await browser.newContext({
          colorScheme,
          viewport: { width: 375, height: 740 },
          bypassCSP: true,
        });
        try {
          const page = await context.newPage();
          for (const path of [
            `/p/sign-in?locale=${locale}`,
            `${signIn}?locale=${locale}`,
            `${unsubscribe}?locale=${locale}`,
          ]) {
            expect((await page.goto(`${base}${path}`))?.status(), path).toBe(200);
            expect(await page.getAttribute('html', 'lang')).toBe(locale);
            expect(await accessibilityViolations(page), path).toEqual([]);
            expect(
              await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
            ).toBeLessThanOrEqual(0);
          }
          await page.goto(`${base}/p/sign-in?locale=${locale}`);
          await page.locator('#email').fill('not-an-address@');
          await page.locator('form').evaluate((form: HTMLFormElement) => {
            form.noValidate = true;
          });
          await page.locator('button[type=submit]').click();
          await expect.poll(() => page.locator('[role=alert]').count()).toBe(1);
          expect(await accessibilityViolations(page)).toEqual([]);
        } finally {
          await context.close();
        }
      },
    );
  });
});
