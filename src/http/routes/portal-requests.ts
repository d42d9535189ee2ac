import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { chooseLocale, type Locale } from '../../lib/i18n/locales.ts';
import type { MessageKey } from '../../lib/i18n/messages.ts';
import { findPortalSession, type PortalSession } from '../../services/portal/sessions.ts';
import { type OpenedSession, SESSION_TTL_MS } from '../../services/portal/sign-in.ts';
import type { RouteDeps } from '../deps.ts';
import { type MessageExtras, messagePage } from '../pages/layout.ts';
import { sendPage } from '../pages/send-page.ts';

// What every route of the referrer's portal shares: its session cookie, its language, its headers.

export const PORTAL_COOKIE = 'vouch_portal';
export const HTML_PAGE = { content: { 'text/html': { schema: Type.String() } } };
export const PORTAL_TAGS = ['portal'];
export const LocaleQuery = Type.Object({
  locale: Type.Optional(
    Type.String({ maxLength: 35, description: 'BCP 47; the page’s language for this request.' }),
  ),
});

/** The same page in another language. */
export const hereWith = (path: string) => (locale: Locale) => `${path}?${new URLSearchParams({ locale })}`;

/** Answers a page that only says something, in the reader's language, with links to it in the others. */
export function sendMessage(
  reply: FastifyReply,
  status: number,
  locale: Locale,
  path: string,
  titleKey: MessageKey,
  bodyKey: MessageKey,
  extras?: MessageExtras,
) {
  return sendPage(reply, status, locale, messagePage(locale, hereWith(path), titleKey, bodyKey, extras));
}

export function portalRequests({ store, now, config }: Pick<RouteDeps, 'store' | 'now' | 'config'>) {
  /** ?locale=, else the sign-in's, else the browser's. */
  const localeOf = (request: FastifyRequest, session?: PortalSession) =>
    chooseLocale({
      requested: (request.query as { locale?: string }).locale ?? session?.locale ?? undefined,
      acceptLanguage: request.headers['accept-language'],
    });

  async function sessionOf(request: FastifyRequest): Promise<PortalSession | undefined> {
    const token = request.cookies[PORTAL_COOKIE];
    return token ? findPortalSession(store.db, token, now()) : undefined;
  }

  /** 401 for a page that needs a session, in the reader's language. */
  function signInFirst(request: FastifyRequest, reply: FastifyReply) {
    const locale = localeOf(request);
    // Where Vouch sends emails, a referrer may also sign in by a link to their address.
    const link = config.email
      ? { href: `/p/sign-in?${new URLSearchParams({ locale })}`, label: 'sign_in.title' as const }
      : undefined;
    return sendMessage(reply, 401, locale, '/p/', 'portal.no_session_title', 'portal.no_session_body', {
      link,
    });
  }

  return { localeOf, sessionOf, signInFirst };
}

/**
 * Signed in: the session cookie (HttpOnly, SameSite=Lax so the link from an email or the
 * business's site carries it, Secure under https), then on to the portal.
 */
export function startSession(reply: FastifyReply, opened: OpenedSession, publicUrl: string) {
  reply.setCookie(PORTAL_COOKIE, opened.token, {
    path: '/p',
    httpOnly: true,
    sameSite: 'lax',
    secure: publicUrl.startsWith('https:'),
    maxAge: SESSION_TTL_MS / 1000,
  });
  return reply.header('cache-control', 'no-store').redirect('/p/', 303);
}
