import type { TestApp } from './app.ts';

/** Signs a participant in as their browser would: asks for a link, opens it, keeps the cookie. */
export async function portalCookie(t: TestApp, participantId: string, extra: Record<string, unknown> = {}) {
  const asked = await t.api('POST', '/v1/portal_sessions', { participant_id: participantId, ...extra });
  if (asked.status !== 201) throw new Error(`no portal session: ${JSON.stringify(asked.body)}`);
  const url = new URL(asked.body.url);
  const opened = await t.app.inject({ method: 'GET', url: url.pathname });
  const setCookie = [opened.headers['set-cookie']].flat().find((c) => String(c).startsWith('vouch_portal='));
  if (!setCookie) throw new Error(`sign-in link did not sign in: ${opened.statusCode}`);
  return String(setCookie).split(';')[0] as string;
}

/** A portal page as the signed-in browser gets it. */
export async function portalGet(
  t: TestApp,
  cookie: string,
  path: string,
  headers: Record<string, string> = {},
) {
  const res = await t.app.inject({ method: 'GET', url: path, headers: { cookie, ...headers } });
  return { status: res.statusCode, headers: res.headers, body: res.body, raw: res.rawPayload };
}

/** The sign-out form's CSRF token, read from the portal page. */
export const csrfIn = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
