import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { referralUrl } from '../../domain/referral-codes.ts';
import { isRecordedChannel, isShareChannel, shareUrl } from '../../domain/share-channels.ts';
import { AppError } from '../../lib/errors.ts';
import { getParticipant } from '../../services/participants/participants.ts';
import { csrfMatches } from '../../services/portal/sessions.ts';
import { shareMessage } from '../../services/sharing/referrer-words.ts';
import { shareSourceOf } from '../../services/sharing/share-source.ts';
import { recordShare } from '../../services/sharing/shares.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';
import { HTML_PAGE, LocaleQuery, PORTAL_TAGS, portalRequests, sendMessage } from './portal-requests.ts';

// Shares from the portal: each share link records its use on the way to the channel; the page's
// script records the copy button's and the Web Share API's.
export const portalShareRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { store, now, config, secret } = deps;
  const { localeOf, sessionOf, signInFirst } = portalRequests(deps);

  app.get(
    '/p/share/:channel',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Use a share button',
        description:
          'Records the share (channel, time, participant) so the funnel counts it, then answers 303 to the ' +
          "channel's share intent with the referrer's message and link: a plain link, so it works without JavaScript.",
        params: Type.Object({ channel: Type.String({ maxLength: 32 }) }),
        querystring: LocaleQuery,
        response: {
          303: Type.Null({ description: "On to the channel's share intent." }),
          401: { description: 'No session.', ...HTML_PAGE },
          404: { description: 'Not a channel Vouch knows.', ...HTML_PAGE },
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      const { channel } = request.params;
      const locale = localeOf(request, session);
      if (!isShareChannel(channel)) {
        return sendMessage(reply, 404, locale, '/p/', 'share.inactive_title', 'share.inactive_body');
      }
      const source = await shareSourceOf(store.db, session.participant_id);
      const { participantId, programId } = source;
      await store.transaction((trx) =>
        recordShare(trx, { participantId, programId, channel, source: 'portal' }, now()),
      );
      const target = shareUrl(channel, {
        link: referralUrl(config.publicUrl, source.code),
        message: shareMessage(source, locale),
        subject: source.programName,
      });
      return reply.header('cache-control', 'no-store').redirect(target, 303);
    },
  );

  app.post(
    '/p/shares',
    {
      schema: {
        tags: PORTAL_TAGS,
        security: [],
        summary: 'Record a use of the copy button or the Web Share API',
        description:
          "Sent by the portal's script (navigator.sendBeacon) with the page's CSRF token; the share links record " +
          'their own uses. Answers 204; a wrong token or an unknown channel records nothing.',
        body: Type.Object({ channel: Type.String({ maxLength: 32 }), csrf: Type.String({ maxLength: 128 }) }),
        response: {
          204: Type.Null({ description: 'Recorded.' }),
          401: { description: 'No session.', ...HTML_PAGE },
          ...errorResponses(400, 403),
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) return signInFirst(request, reply);
      const { channel, csrf } = request.body;
      if (!csrfMatches(session, secret, csrf)) {
        throw new AppError('invalid_csrf_token', "csrf is not the token of this session's page.", 'csrf');
      }
      if (!isRecordedChannel(channel)) {
        throw new AppError('invalid_value', `channel '${channel}' is not one Vouch records.`, 'channel');
      }
      const participant = await getParticipant(store.db, session.participant_id);
      const share = {
        participantId: participant.id,
        programId: participant.program_id,
        channel,
        source: 'portal' as const,
      };
      await store.transaction((trx) => recordShare(trx, share, now()));
      return reply.code(204).send(null);
    },
  );
};
