import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import QRCode from 'qrcode';
import Type from 'typebox';
import { referralUrl, sharePageUrl } from '../../domain/referral-codes.ts';
import { SHARE_CHANNELS, shareUrl } from '../../domain/share-channels.ts';
import { html } from '../../lib/html.ts';
import { chooseLocale } from '../../lib/i18n/locales.ts';
import { translator } from '../../lib/i18n/messages.ts';
import { referrerOffer, shareMessage } from '../../services/sharing/referrer-words.ts';
import { shareSourceOf } from '../../services/sharing/share-source.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';

const ShareKit = Type.Object(
  {
    object: Type.Literal('share_kit'),
    participant_id: Type.String(),
    locale: Type.String({ description: 'The shipped locale the texts are in.' }),
    code: Type.String(),
    link: Type.String({ description: 'The referral link (/r/{code}): clicks on it are recorded.' }),
    share_page_url: Type.String({
      description: "The friend's invitation page (/s/{code}), which leads on to the link.",
    }),
    qr_svg: Type.String({ description: 'A QR code of the link, as an SVG document.' }),
    message: Type.String({ description: "The referrer's message to a friend, without the link." }),
    channels: Type.Record(Type.String(), Type.String(), {
      description:
        'Per channel (email, sms, whatsapp, x, facebook, linkedin, telegram), its share URL with the message and link filled in.',
    }),
    blocks: Type.Object(
      {
        html: Type.String({
          description: 'An HTML fragment, every value escaped: the offer, the link and the code.',
        }),
        text: Type.String({ description: 'The same as plain text.' }),
      },
      { description: 'Ready for a post-purchase email or an in-app success screen.' },
    ),
  },
  { title: 'ShareKit' },
);

export const shareKitRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, config }) => {
  app.get(
    '/v1/participants/:id/share_kit',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['participants'],
        summary: "A participant's share kit, for your own emails and screens",
        description:
          'The link, a QR code, the message per channel and two ready blocks (HTML and text), in `locale` ' +
          '(falling back fr-CA → fr → en). A disabled participant has none (422).',
        params: IdParams,
        querystring: Type.Object({ locale: Type.Optional(Type.String({ maxLength: 35 })) }),
        response: { 200: ShareKit, ...errorResponses(400, 401, 404, 422) },
      },
    },
    async (request) => {
      const locale = chooseLocale({ requested: request.query.locale });
      const source = await shareSourceOf(store.db, request.params.id);
      const link = referralUrl(config.publicUrl, source.code);
      const message = shareMessage(source, locale);
      const offer = referrerOffer(source, locale) ?? '';
      const codeLine = translator(locale)('portal.code', { code: source.code });
      const content = { link, message, subject: source.programName };
      return {
        object: 'share_kit' as const,
        participant_id: source.participantId,
        locale,
        code: source.code,
        link,
        share_page_url: sharePageUrl(config.publicUrl, source.code),
        qr_svg: await QRCode.toString(link, { type: 'svg', margin: 2 }),
        message,
        channels: Object.fromEntries(SHARE_CHANNELS.map((channel) => [channel, shareUrl(channel, content)])),
        blocks: {
          html: html`<p>${offer}</p><p><a href="${link}">${link}</a></p><p>${codeLine}</p>`.text,
          text: [offer, link, codeLine].filter(Boolean).join('\n'),
        },
      };
    },
  );
};
