/// <reference lib="dom" />
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

// Debian's Chromium, driven by playwright-core: never a downloaded browser. Without the background
// networking flags Chromium keeps dialling Google's hosts, which this network refuses.
const CHROMIUM = process.env.VOUCH_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** One browser for a test file (one per worker); close it in afterAll. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** WCAG 2.2 AA, the level every page of Vouch's is held to. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe-core's violations on the page as it is, described by rule and element. The page's context
 * must bypass its CSP (`bypassCSP: true`): axe runs as an injected script, which the CSP refuses.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: typeof axe }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
      }),
    WCAG_AA,
  );
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${v.help})`));
}
