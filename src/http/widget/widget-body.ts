import type { Static } from 'typebox';
import { moneyWords } from '../../domain/offer.ts';
import { referralUrl } from '../../domain/referral-codes.ts';
import { CHANNEL_BRANDS, SHARE_CHANNELS, shareUrl } from '../../domain/share-channels.ts';
import { directionOf, type Locale } from '../../lib/i18n/locales.ts';
import { translator } from '../../lib/i18n/messages.ts';
import type { PortalView } from '../../services/portal/portal-view.ts';
import { referrerOffer, shareMessage } from '../../services/sharing/referrer-words.ts';
import type { WidgetView } from '../schemas/widget.ts';

// The portal view, as the share widget shows it: the same reads as the portal's page, fewer of
// them shown, every text formatted here for the locale.

// portalView reads the latest 50 friends: the widget counts those, and says when there are more.
const FRIENDS_READ = 50;

export function widgetBody(view: PortalView, locale: Locale, publicUrl: string): Static<typeof WidgetView> {
  const t = translator(locale);
  const link = referralUrl(publicUrl, view.code);
  const message = shareMessage(view, locale);
  const qualified = view.friends.filter((f) => f.status === 'qualified' || f.status === 'rewarded').length;
  const money = (amount: number, currency: string) => ({
    amount,
    text: moneyWords(amount, currency, locale, t),
  });
  return {
    object: 'widget',
    locale,
    dir: directionOf(locale),
    program_name: view.programName,
    code: view.code,
    link,
    offer: referrerOffer(view, locale),
    message,
    channels: SHARE_CHANNELS.map((channel) => ({
      channel,
      label: CHANNEL_BRANDS[channel] ?? t(`channel.${channel as 'email' | 'sms'}`),
      url: shareUrl(channel, { link, message, subject: view.programName }),
    })),
    friends: { joined: view.friends.length, qualified, capped: view.friends.length >= FRIENDS_READ },
    balances: view.cash.map((b) => ({
      currency: b.currency,
      available: money(b.available, b.currency),
      pending: money(b.pending, b.currency),
      paid: money(b.paid, b.currency),
    })),
    text: {
      label: t('widget.label', { program: view.programName }),
      heading: t('portal.share_heading'),
      link_label: t('portal.link_label'),
      copy: t('portal.copy'),
      copied: t('portal.copied'),
      web_share: t('portal.web_share'),
      code: t('portal.code', { code: view.code }),
      friends_joined: t('widget.friends_joined', { count: view.friends.length }),
      friends_qualified: t('widget.friends_qualified', { count: qualified }),
      available: t('balance.available'),
      pending: t('balance.pending'),
      paid: t('balance.paid'),
    },
  };
}
