/**
 * Where each share button sends a referrer, with their message and link filled in: the share
 * intents the networks document, and the mailto: and sms: schemes.
 */

export const SHARE_CHANNELS = ['email', 'sms', 'whatsapp', 'x', 'facebook', 'linkedin', 'telegram'] as const;
export type ShareChannel = (typeof SHARE_CHANNELS)[number];

export const isShareChannel = (name: string): name is ShareChannel =>
  (SHARE_CHANNELS as readonly string[]).includes(name);

/** What a share records as its channel: a share link's, the copy button, or the Web Share API's sheet. */
export type RecordedChannel = ShareChannel | 'copy' | 'web_share';

export const isRecordedChannel = (name: string): name is RecordedChannel =>
  isShareChannel(name) || name === 'copy' || name === 'web_share';

/** The channels' own names, which no language translates (email and SMS are in the catalogs). */
export const CHANNEL_BRANDS: Partial<Record<ShareChannel, string>> = {
  whatsapp: 'WhatsApp',
  x: 'X',
  facebook: 'Facebook',
  linkedin: 'LinkedIn',
  telegram: 'Telegram',
};

export interface ShareContent {
  /** The referral link. */
  link: string;
  /** The referrer's message to a friend, without the link. */
  message: string;
  /** An email's subject. */
  subject: string;
}

const q = encodeURIComponent;

export function shareUrl(channel: ShareChannel, { link, message, subject }: ShareContent): string {
  const text = `${message} ${link}`;
  switch (channel) {
    case 'email':
      return `mailto:?subject=${q(subject)}&body=${q(text)}`;
    case 'sms':
      // RFC 5724: the body is a query parameter of an sms: URI without a recipient.
      return `sms:?body=${q(text)}`;
    case 'whatsapp':
      return `https://wa.me/?text=${q(text)}`;
    case 'x':
      return `https://x.com/intent/post?text=${q(message)}&url=${q(link)}`;
    case 'facebook':
      return `https://www.facebook.com/sharer/sharer.php?u=${q(link)}`;
    case 'linkedin':
      return `https://www.linkedin.com/sharing/share-offsite/?url=${q(link)}`;
    case 'telegram':
      return `https://t.me/share/url?url=${q(link)}&text=${q(message)}`;
  }
}
