import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { EMAIL_CATEGORIES } from '../../domain/emails.ts';
import { html } from '../../lib/html.ts';
import { chooseLocale, type Locale } from '../../lib/i18n/locales.ts';
import { translator } from '../../lib/i18n/messages.ts';
import { chooseCategories, optOutOfEverything, programNameOf } from '../../services/emails/preferences.ts';
import { participantOfToken } from '../../services/emails/unsubscribe-tokens.ts';
import {
  EMAIL_SIGN_IN_TTL_MS,
  emailAddressOf,
  emailSignInUsable,
  requestEmailSignIn,
} from '../../services/portal/email-sign-in.ts';
import { csrfMatches } from '../../services/portal/sessions.ts';
import { openSignInLink } from '../../services/portal/sign-in.ts';
import type { RouteDeps } from '../deps.ts';
import { formPage } from '../pages/layout.ts';
import { sendPage } from '../pages/send-page.ts';
import type { Limiters } from '../rate-limiter.ts';
import {
  HTML_PAGE,
  hereWith,
  LocaleQuery,
  PORTAL_TAGS,
  portalRequests,
  sendMessage,
  startSession,
} from './portal-requests.ts';

export interface PortalDeps extends RouteDeps {
  limiters: Limiters;
}

const Token = Type.Object({ token: Type.String({ maxLength: 128 }) });
const SignInQuery = Type.Object({
  ...LocaleQuery.properties,
  program: Type.Optional(
    Type.String({ maxLength: 64, description: 'The program whose portal is asked for.' }),
  ),
});
const SignInForm = Type.Object({
  email: Type.String({ maxLength: 320 }),
  program: Type.Optional(Type.String({ maxLength: 64 })),
  locale: Type.Optional(Type.String({ maxLength: 35 })),
});

// Signing in by a link sent to one's own address, and unsubscribing from the emails, by their links.
export const portalEmailRoutes: FastifyPluginAsyncTypebox<PortalDeps> = async (app, deps) => {
  const { store, now, config, secret, limiters } = deps;
  const { localeOf, sessionOf, signInFirst } = portalRequests(deps);
  const mailing = config.email ? { publicUrl: config.publicUrl, secret } : null;

  function signInForm(
    reply: FastifyReply,
    status: number,
    locale: Locale,
    program?: string,
    error?: boolean,
  ) {
    const t = translator(locale);
    const query = (l: Locale) => new URLSearchParams({ locale: l, ...(program ? { program } : {}) });
    const fields = html`${error ? html`<p class="error" id="email-error" role="alert">${t('sign_in.invalid_email')}</p>` : ''}
<label for="email">${t('sign_in.email_label')}</label>
<input id="email" name="email" type="email" autocomplete="email" required${error ? html` aria-invalid="true" aria-describedby="email-error"` : ''}>
<input type="hidden" name="locale" value="${locale}">${program ? html`<input type="hidden" name="program" value="${program}">` : ''}`;
    const page = formPage(locale, (l) => `/p/sign-in?${query(l)}`, {
      title: t('sign_in.title'),
      intro: t('sign_in.body'),
      action: '/p/sign-in',
      fields,
      button: t('sign_in.submit'),
    });
    return sendPage(reply, status, locale, page);
  }

  /** Without SMTP there is no email to sign in by: the portal opens only by the business's link. */
  function noEmail(request: FastifyRequest, reply: FastifyReply) {
    const locale = localeOf(request);
    return sendMessage(reply, 404, locale, '/p/', 'portal.no_session_title', 'portal.no_session_body');
  }

  app.get(
    '/p/sign-in',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Ask for a sign-in link by email',
        description:
          'A form for the address a referrer takes part with. Exists only when Vouch sends emails (VOUCH_SMTP_URL); 404 otherwise.',
        querystring: SignInQuery,
        response: {
          200: { description: 'The form.', ...HTML_PAGE },
          404: { description: 'Vouch sends no emails here.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      if (!mailing) return noEmail(request, reply);
      return signInForm(reply, 200, localeOf(request), request.query.program);
    },
  );

  app.post(
    '/p/sign-in',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Email a sign-in link',
        description:
          `Emails a single-use link, valid ${EMAIL_SIGN_IN_TTL_MS / 60_000} minutes, to each active participant with this address ` +
          '(in `program` only, when given). The answer is the same whether or not the address is known. Limited per ' +
          'address asked for (VOUCH_RATE_LIMIT_SIGN_IN_EMAIL, 5/1h) and per client address (VOUCH_RATE_LIMIT_SIGN_IN_IP, 30/1h).',
        body: SignInForm,
        response: {
          200: { description: 'A link is on its way, if the address takes part.', ...HTML_PAGE },
          400: { description: 'Not an email address: the form again, saying so.', ...HTML_PAGE },
          404: { description: 'Vouch sends no emails here.', ...HTML_PAGE },
          429: { description: 'Too many links asked for this address or from this client.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      if (!mailing) return noEmail(request, reply);
      const locale = chooseLocale({
        requested: request.body.locale,
        acceptLanguage: request.headers['accept-language'],
      });
      const address = emailAddressOf(request.body.email);
      if (!address) return signInForm(reply, 400, locale, request.body.program, true);
      const byClient = await limiters.signInIp?.consume(request.ip);
      const byAddress =
        byClient?.allowed === false ? byClient : await limiters.signInEmail?.consume(address.toLowerCase());
      const refused = [byClient, byAddress].find((state) => state?.allowed === false);
      if (refused) {
        reply.header('retry-after', Math.ceil(refused.resetMs / 1000));
        return sendMessage(
          reply,
          429,
          locale,
          '/p/sign-in',
          'sign_in.too_many_title',
          'sign_in.too_many_body',
        );
      }
      await store.transaction((trx) =>
        requestEmailSignIn(trx, { email: address, programId: request.body.program, locale }, mailing, now()),
      );
      return sendMessage(reply, 200, locale, '/p/sign-in', 'sign_in.sent_title', 'sign_in.sent_body');
    },
  );

  function linkUsed(request: FastifyRequest, reply: FastifyReply) {
    const locale = localeOf(request);
    return sendMessage(reply, 401, locale, '/p/sign-in', 'portal.link_used_title', 'sign_in.link_used_body', {
      link: { href: `/p/sign-in?${new URLSearchParams({ locale })}`, label: 'sign_in.ask_again' },
    });
  }

  app.get(
    '/p/sign-in/email/:token',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'The page of an emailed sign-in link',
        description:
          'Mail scanners open every link in an email: this page uses nothing, and signs in only when its button is pressed ' +
          '(a POST to the same path). A used, expired or forged link answers 401 with a page offering a new one.',
        params: Token,
        querystring: LocaleQuery,
        response: {
          200: { description: 'The button that signs in.', ...HTML_PAGE },
          401: { description: 'The link was used already, has expired, or never existed.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      if (!(await emailSignInUsable(store.db, request.params.token, now()))) return linkUsed(request, reply);
      const locale = localeOf(request);
      const t = translator(locale);
      const path = `/p/sign-in/email/${encodeURIComponent(request.params.token)}`;
      const page = formPage(locale, hereWith(path), {
        title: t('sign_in.confirm_title'),
        intro: t('sign_in.confirm_body'),
        action: path,
        fields: html``,
        button: t('sign_in.confirm_button'),
      });
      return sendPage(reply, 200, locale, page);
    },
  );

  app.post(
    '/p/sign-in/email/:token',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Sign in by an emailed link',
        description:
          'Used once, within 15 minutes of the email: sets the vouch_portal session cookie, as the API’s link does, and answers 303 to /p/.',
        params: Token,
        response: {
          303: Type.Null({ description: 'Signed in: on to /p/.' }),
          401: { description: 'The link was used already, has expired, or never existed.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const opened = await store.transaction((trx) =>
        openSignInLink(trx, request.params.token, now(), 'email'),
      );
      if (!opened) return linkUsed(request, reply);
      return startSession(reply, opened, config.publicUrl);
    },
  );

  app.post(
    '/p/emails',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Choose which emails to get',
        description:
          'The portal’s form: a field per category wanted (`referrals`, `rewards`, `program`, each `1`), the others are ' +
          'refused from the next email on. Carries the page’s CSRF token. Answers 303 to /p/?emails=saved.',
        body: Type.Object({
          csrf: Type.String({ maxLength: 128 }),
          ...Object.fromEntries(EMAIL_CATEGORIES.map((c) => [c, Type.Optional(Type.Literal('1'))])),
        }),
        response: {
          303: Type.Null({
            description: 'Saved; or, with a wrong CSRF token, nothing changed and this leads back to /p/.',
          }),
          401: { description: 'No session.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      const body = request.body as Record<string, string>;
      if (!csrfMatches(session, secret, body.csrf ?? '')) return reply.redirect('/p/', 303);
      const wanted = new Set(EMAIL_CATEGORIES.filter((category) => body[category] === '1'));
      await store.transaction((trx) => chooseCategories(trx, session.participant_id, wanted, now()));
      return reply.redirect('/p/?emails=saved#emails-heading', 303);
    },
  );

  const unsubscribePath = (token: string) => `/p/unsubscribe/${encodeURIComponent(token)}`;
  // RFC 8058's body; the page's button sends none, and anything else a mail client adds is ignored.
  const UnsubscribeBody = Type.Object(
    { 'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 64 })) },
    { additionalProperties: true },
  );

  app.get(
    '/p/unsubscribe/:token',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'The unsubscribe link of an email',
        description:
          'A page with one button; opening it changes nothing (mail scanners open links). A forged token answers 404.',
        params: Token,
        querystring: LocaleQuery,
        response: {
          200: { description: 'The button that unsubscribes.', ...HTML_PAGE },
          404: { description: 'Not a link Vouch made.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const participantId = participantOfToken(secret, request.params.token);
      const program = participantId ? await programNameOf(store.db, participantId) : null;
      if (!program) return invalidUnsubscribe(reply, locale, request.params.token);
      const t = translator(locale);
      const page = formPage(locale, hereWith(unsubscribePath(request.params.token)), {
        title: t('unsubscribe.title', { program }),
        intro: t('unsubscribe.body'),
        action: unsubscribePath(request.params.token),
        fields: html``,
        button: t('unsubscribe.button'),
      });
      return sendPage(reply, 200, locale, page);
    },
  );

  app.post(
    '/p/unsubscribe/:token',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Unsubscribe from every email that is not transactional',
        description:
          'The page’s button, and the one-click POST of RFC 8058 (`List-Unsubscribe=One-Click`) that mail clients send. ' +
          'Takes effect at once, for emails already written too; sign-in links and payout notices still arrive. Idempotent.',
        params: Token,
        body: UnsubscribeBody,
        response: {
          200: { description: 'Unsubscribed.', ...HTML_PAGE },
          404: { description: 'Not a link Vouch made.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const participantId = participantOfToken(secret, request.params.token);
      const program = participantId
        ? await store.transaction((trx) => optOutOfEverything(trx, participantId, now()))
        : null;
      if (!program) return invalidUnsubscribe(reply, locale, request.params.token);
      return sendMessage(
        reply,
        200,
        locale,
        unsubscribePath(request.params.token),
        'unsubscribe.done_title',
        'unsubscribe.done_body',
        { values: { program } },
      );
    },
  );

  function invalidUnsubscribe(reply: FastifyReply, locale: Locale, token: string) {
    return sendMessage(
      reply,
      404,
      locale,
      unsubscribePath(token),
      'unsubscribe.invalid_title',
      'unsubscribe.invalid_body',
    );
  }
};
