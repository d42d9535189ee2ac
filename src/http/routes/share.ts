import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { chooseLocale, type Locale } from '../../lib/i18n/locales.ts';
import { findInvitation } from '../../services/sharing/invitation.ts';
import type { RouteDeps } from '../deps.ts';
import { sendPage } from '../pages/send-page.ts';
import { inactiveSharePage, sharePage } from '../pages/share-page.ts';

const HTML_PAGE = { content: { 'text/html': { schema: Type.String() } } };
// Campaign parameters the friend arrived with go on to the referral link, so the click keeps them.
const CARRIED = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

const schema = {
  tags: ['public'],
  security: [],
  summary: "A friend's invitation page",
  description:
    'Server-rendered HTML, no script: who invited the friend (first name only), what they get under the ' +
    "program's rules, and a link on through /r/{code}, where the click is recorded. The language is " +
    '`locale` if given, else the best of Accept-Language, else English; a tag that is not shipped falls back ' +
    '(fr-CA → fr). Every page carries a Content-Security-Policy that allows no script.',
  params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
  querystring: Type.Object({
    locale: Type.Optional(
      Type.String({
        maxLength: 35,
        description: 'A BCP 47 tag: en, de, fr, es, pt-BR, ar, or one that falls back to them.',
      }),
    ),
    utm_source: Type.Optional(Type.String({ maxLength: 512 })),
    utm_medium: Type.Optional(Type.String({ maxLength: 512 })),
    utm_campaign: Type.Optional(Type.String({ maxLength: 512 })),
    utm_term: Type.Optional(Type.String({ maxLength: 512 })),
    utm_content: Type.Optional(Type.String({ maxLength: 512 })),
  }),
  response: {
    200: { description: 'The invitation page.', ...HTML_PAGE },
    404: {
      description: 'Unknown code, or its referrer or program is not active: a page saying so.',
      ...HTML_PAGE,
    },
  },
};

export const shareRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.get('/s/:code', { schema }, async (request, reply) => {
    const { code } = request.params;
    const locale = chooseLocale({
      requested: request.query.locale,
      acceptLanguage: request.headers['accept-language'],
    });
    const carried = new URLSearchParams();
    for (const name of CARRIED) {
      const value = request.query[name];
      if (value !== undefined) carried.set(name, value);
    }
    const here = (l: Locale) => `?${new URLSearchParams([...carried, ['locale', l]])}`;
    const invitation = await findInvitation(store.db, code);
    if (!invitation) return sendPage(reply, 404, locale, inactiveSharePage(locale, here));
    const query = carried.size > 0 ? `?${carried}` : '';
    const accept = `/r/${encodeURIComponent(invitation.code)}${query}`;
    return sendPage(reply, 200, locale, sharePage(invitation, locale, { accept, here }));
  });
};
