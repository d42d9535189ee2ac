import type { FastifyReply } from 'fastify';
import type { Locale } from '../../lib/i18n/locales.ts';
import { PAGE_POLICY } from './layout.ts';

/** Answers with a page of Vouch's: HTML in its language, under its CSP, never cached. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  locale: Locale,
  page: string,
  policy = PAGE_POLICY,
) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', policy)
    .header('content-language', locale)
    .header('vary', 'accept-language, cookie')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(page);
}
