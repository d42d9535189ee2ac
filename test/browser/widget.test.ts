/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { makeParticipant, makeProgram } from '../support/factories.ts';

// The share widget on a business's page in real Chromium: the page is served from a second port
// (another origin) and embeds <script src=".../widget.js"> and <vouch-referral>, or the iframe.
// The program allows that origin; the same page reached as http://localhost:… is another origin,
// which the program does not allow.

let t: TestApp;
let browser: Browser;
let host: Server;
let vouch: string;
let allowed: string;
let other: string;
let participantId: string;
let code: string;

/** A port nothing listens on yet, so the app's public URL can name it before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const attribute = (value: string) => value.replace(/[&"<]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The business's pages: deliberately loud CSS, to show that none of it reaches the widget. */
function hostPage(path: string, token: string): string {
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northwind shop</title>
<style>body{font-family:serif;color:#000;background:#fff} h2{display:none} button{background:#f0f !important} .card{border:0}</style></head>`;
  if (path === '/frame') {
    return `${head}<body><main><h1>Your account</h1>
<iframe id="vouch-widget" src="${vouch}/w/frame?token=${encodeURIComponent(token)}" title="Refer a friend" style="width:100%;border:0"></iframe>
</main><script>
addEventListener('message', (event) => {
  if (event.origin !== ${JSON.stringify(vouch)} || event.data?.type !== 'vouch:height') return;
  const frame = document.getElementById('vouch-widget');
  if (event.source === frame.contentWindow) frame.style.height = event.data.height + 'px';
});
</script></body></html>`;
  }
  return `${head}<body><main><h1>Your account</h1><p class="card">Host text</p>
<vouch-referral token="${attribute(token)}"></vouch-referral></main>
<script>document.addEventListener('vouch-error', (e) => { document.body.dataset.vouchError = e.detail.code; });</script>
<script src="${vouch}/widget.js"></script></body></html>`;
}

async function widgetToken(): Promise<string> {
  const res = await t.api('POST', '/v1/portal_sessions', { participant_id: participantId });
  return res.body.widget_token as string;
}

beforeAll(async () => {
  const port = await freePort();
  vouch = `http://127.0.0.1:${port}`;
  t = await createTestApp({ VOUCH_PUBLIC_URL: vouch });
  await t.app.listen({ port, host: '127.0.0.1' });
  const tokens = new Map<string, string>();
  host = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const token = tokens.get(url.searchParams.get('page') ?? '') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(url.pathname, token));
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const hostPort = (host.address() as AddressInfo).port;
  allowed = `http://127.0.0.1:${hostPort}`;
  other = `http://localhost:${hostPort}`;
  const program = await makeProgram(t, {
    name: 'Northwind Coffee',
    embed_origins: [allowed],
    rewards: { referrer: { amount: 1000, currency: 'EUR' }, referee: { amount: 1500, currency: 'EUR' } },
  });
  const referrer = await makeParticipant(t, program.id, { name: 'Ada Lovelace' });
  participantId = referrer.id;
  code = referrer.referral_code;
  // Each page load gets its own fresh token, as the business's page would ask for one.
  hostTokens = tokens;
  browser = await launchBrowser();
});

let hostTokens: Map<string, string>;
let pages = 0;
/** A host page URL whose page carries a new widget token. */
async function hostUrl(origin: string, path: '/widget' | '/frame'): Promise<string> {
  const id = String(++pages);
  hostTokens.set(id, await widgetToken());
  return `${origin}${path}?page=${id}`;
}

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
  await t?.close();
});

const widgetShares = (channel: string) =>
  t.store.db
    .selectFrom('shares')
    .select('id')
    .where('participant_id', '=', participantId)
    .where('channel', '=', channel)
    .where('source', '=', 'widget')
    .execute();

async function withPage(
  options: Parameters<Browser['newContext']>[0],
  use: (page: Page, context: BrowserContext) => Promise<void>,
) {
  const context = await browser.newContext(options);
  // The networks' share pages are not reachable from here; the test only needs the click.
  await context.route(/^https:\/\/(wa\.me|x\.com|t\.me|www\.facebook\.com|www\.linkedin\.com)\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/plain', body: 'shared' }),
  );
  try {
    await use(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

describe('<vouch-referral> on an allowed origin', () => {
  it('shows the link, copies it, and records the copy and a share button as widget shares', async () => {
    await withPage({}, async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: allowed });
      await page.goto(await hostUrl(allowed, '/widget'));
      const link = page.getByRole('textbox', { name: 'Your referral link' });
      await expect.poll(() => link.inputValue()).toBe(`${vouch}/r/${code}`);
      await page.getByRole('button', { name: 'Copy link' }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${vouch}/r/${code}`);
      await expect.poll(async () => (await widgetShares('copy')).length).toBe(1);

      const popup = context.waitForEvent('page');
      await page.getByRole('link', { name: 'WhatsApp' }).click();
      expect((await popup).url()).toMatch(/^https:\/\/wa\.me\/\?text=/);
      await expect.poll(async () => (await widgetShares('whatsapp')).length).toBe(1);
    });
  });

  it("keeps the page's CSS out and its own in", async () => {
    await withPage({}, async (page) => {
      await page.goto(await hostUrl(allowed, '/widget'));
      await page.getByRole('textbox', { name: 'Your referral link' }).waitFor();
      const looks = await page.evaluate(() => {
        const root = document.querySelector('vouch-referral')?.shadowRoot;
        const heading = root?.querySelector('h2') as HTMLElement;
        const button = root?.querySelector('button') as HTMLElement;
        const hostCard = document.querySelector('p.card') as HTMLElement;
        return {
          headingShown: getComputedStyle(heading).display !== 'none',
          font: getComputedStyle(heading).fontFamily,
          button: getComputedStyle(button).backgroundColor,
          hostCardRadius: getComputedStyle(hostCard).borderTopLeftRadius,
        };
      });
      expect(looks.headingShown).toBe(true);
      expect(looks.font).not.toBe('serif');
      expect(looks.button).not.toBe('rgb(255, 0, 255)');
      expect(looks.hostCardRadius).toBe('0px');
    });
  });

  it('takes its brand colour from --vouch-brand', async () => {
    await withPage({}, async (page) => {
      await page.goto(await hostUrl(allowed, '/widget'));
      await page.getByRole('button', { name: 'Copy link' }).waitFor();
      const colour = await page.evaluate(() => {
        const element = document.querySelector('vouch-referral') as HTMLElement;
        element.style.setProperty('--vouch-brand', 'rgb(0, 90, 0)');
        return getComputedStyle(element.shadowRoot?.querySelector('button') as HTMLElement).backgroundColor;
      });
      expect(colour).toBe('rgb(0, 90, 0)');
    });
  });

  it.each(['light', 'dark'] as const)('has no WCAG 2.2 AA violation in %s', async (colorScheme) => {
    await withPage({ colorScheme, bypassCSP: true }, async (page) => {
      await page.goto(await hostUrl(allowed, '/widget'));
      await page.getByRole('button', { name: 'Copy link' }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
    });
  });
});

describe('<vouch-referral> on an origin the program does not allow', () => {
  it('shows no data: the API refuses it and the browser withholds the answer', async () => {
    await withPage({}, async (page) => {
      await page.goto(await hostUrl(other, '/widget'));
      await page.waitForSelector('body[data-vouch-error]', { state: 'attached' });
      const shown = await page.evaluate(
        () =>
          document.querySelector('vouch-referral')?.shadowRoot?.querySelectorAll('input, a, button').length,
      );
      expect(shown).toBe(0);
      expect(await page.content()).not.toContain(code);
    });
  });
});

describe('the iframe variant', () => {
  it('resizes to its content on an allowed origin', async () => {
    await withPage({}, async (page) => {
      await page.goto(await hostUrl(allowed, '/frame'));
      const frame = page.frameLocator('#vouch-widget');
      await expect.poll(() => frame.getByRole('textbox').inputValue()).toBe(`${vouch}/r/${code}`);
      await expect
        .poll(() => page.$eval('#vouch-widget', (f) => (f as HTMLElement).style.height))
        .toMatch(/px$/);
      const sizes = await page.$eval('#vouch-widget', (f) => ({
        set: Number.parseInt((f as HTMLElement).style.height, 10),
        content: Math.ceil(
          (f as HTMLIFrameElement).contentDocument?.documentElement.getBoundingClientRect().height ?? 0,
        ),
      }));
      // The frame is cross-origin, so its document is unreadable here (0): the message is what sized it.
      expect(sizes.content).toBe(0);
      expect(sizes.set).toBeGreaterThan(300);
    });
  });

  it('is blocked by frame-ancestors on an origin the program does not allow', async () => {
    await withPage({}, async (page) => {
      const refusals: string[] = [];
      page.on('console', (message) => {
        if (/frame-ancestors/.test(message.text())) refusals.push(message.text());
      });
      await page.goto(await hostUrl(other, '/frame'));
      await page.waitForLoadState('load');
      await expect.poll(() => refusals.length).toBeGreaterThan(0);
      expect(await page.frameLocator('#vouch-widget').getByRole('textbox').count()).toBe(0);
      expect(await page.$eval('#vouch-widget', (f) => (f as HTMLElement).style.height)).toBe('');
    });
  });
});
