import type { EmailKind } from '../../domain/emails.ts';
import { type Html, html } from '../../lib/html.ts';
import { directionOf, type Locale } from '../../lib/i18n/locales.ts';
import { type MessageKey, type Translate, translator } from '../../lib/i18n/messages.ts';

/** What one email says, before it is written out as HTML and plain text. */
export type EmailFacts =
  | { kind: 'welcome'; link: string; offer: string | null }
  | { kind: 'friend_signed_up'; friend: string }
  | { kind: 'reward_earned'; reward: string; availableOn: string }
  | { kind: 'reward_available'; reward: string }
  | { kind: 'payout_sent'; amount: string }
  | { kind: 'reward_clawed_back'; reward: string; amount: string; reason: string }
  | { kind: 'program_paused' }
  | { kind: 'program_ended' }
  | { kind: 'magic_link'; url: string; minutes: number };

export interface EmailFrame {
  locale: Locale;
  programName: string;
  /** The first name the email greets, or null for a plain hello. */
  firstName: string | null;
  /** Where "See your referrals" leads (the portal's email sign-in). */
  portalUrl: string;
  /** The one-click unsubscribe URL, for an email that is not transactional. */
  unsubscribeUrl: string | null;
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

interface Parts {
  subject: string;
  paragraphs: string[];
  /** A value shown apart, to copy (the referral link). */
  highlight?: string;
  action: { label: string; url: string };
  after?: string;
}

function partsOf(facts: EmailFacts, frame: EmailFrame, t: Translate): Parts {
  const program = frame.programName;
  const key = (part: 'subject' | 'body') => `email.${facts.kind}.${part}` as MessageKey;
  const portal = { label: t('email.open_portal'), url: frame.portalUrl };
  switch (facts.kind) {
    case 'welcome':
      return {
        subject: t(key('subject'), { program }),
        paragraphs: [t(key('body'), { program }), ...(facts.offer ? [facts.offer] : [])],
        highlight: facts.link,
        action: portal,
      };
    case 'friend_signed_up':
      return {
        subject: t(key('subject'), { program }),
        paragraphs: [t(key('body'), { friend: facts.friend, program })],
        action: portal,
      };
    case 'reward_earned':
      return {
        subject: t(key('subject'), { reward: facts.reward }),
        paragraphs: [t(key('body'), { reward: facts.reward, program, date: facts.availableOn })],
        action: portal,
      };
    case 'reward_available':
      return {
        subject: t(key('subject'), { reward: facts.reward }),
        paragraphs: [t(key('body'), { reward: facts.reward, program })],
        action: portal,
      };
    case 'payout_sent':
      return {
        subject: t(key('subject'), { program, amount: facts.amount }),
        paragraphs: [t(key('body'), { program, amount: facts.amount })],
        action: portal,
      };
    case 'reward_clawed_back':
      return {
        subject: t(key('subject'), { program }),
        paragraphs: [t(key('body'), { reward: facts.reward, amount: facts.amount, reason: facts.reason })],
        action: portal,
      };
    case 'program_paused':
    case 'program_ended':
      return {
        subject: t(key('subject'), { program }),
        paragraphs: [t(key('body'), { program })],
        action: portal,
      };
    case 'magic_link':
      return {
        subject: t(key('subject'), { program }),
        paragraphs: [t(key('body'), { minutes: facts.minutes })],
        action: { label: t('email.magic_link.action'), url: facts.url },
        after: t('email.magic_link.ignore'),
      };
  }
}

// Mail clients drop <style> and ignore most CSS: inline styles on a single column, a button
// that is a link, and system fonts. Colours pass WCAG AA on white.
const FONT = 'font-family:system-ui,-apple-system,Segoe UI,Roboto,Noto Sans,Noto Sans Arabic,sans-serif';
const P = `margin:0 0 16px;font-size:16px;line-height:1.5;color:#1b1b1f;${FONT}`;
const SMALL = `margin:0 0 8px;font-size:13px;line-height:1.5;color:#4a4a55;${FONT}`;

function htmlOf(parts: Parts, frame: EmailFrame, t: Translate): string {
  const dir = directionOf(frame.locale);
  const greeting = t('email.greeting', { name: frame.firstName ?? 'none' });
  const highlight: Html | string = parts.highlight
    ? html`<p style="${P}"><a href="${parts.highlight}" style="color:#1f4fd1;word-break:break-all">${parts.highlight}</a></p>`
    : '';
  const unsubscribe: Html | string = frame.unsubscribeUrl
    ? html` <a href="${frame.unsubscribeUrl}" style="color:#4a4a55">${t('email.unsubscribe')}</a>`
    : '';
  return html`<!doctype html>
<html lang="${frame.locale}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><title>${parts.subject}</title></head>
<body style="margin:0;padding:0;background:#f4f4f7">
<div role="article" aria-label="${parts.subject}" lang="${frame.locale}" dir="${dir}" style="max-width:560px;margin:0 auto;padding:24px 16px">
<div style="background:#ffffff;border-radius:12px;padding:24px">
<p style="${P}">${greeting}</p>
${parts.paragraphs.map((p) => html`<p style="${P}">${p}</p>`)}
${highlight}
<p style="margin:24px 0"><a href="${parts.action.url}" style="display:inline-block;background:#1f4fd1;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:8px;${FONT}">${parts.action.label}</a></p>
${parts.after ? html`<p style="${SMALL}">${parts.after}</p>` : ''}
</div>
<p style="${SMALL};padding:16px 8px 0">${t('email.footer', { program: frame.programName })}${unsubscribe}</p>
</div></body></html>`.text;
}

function textOf(parts: Parts, frame: EmailFrame, t: Translate): string {
  const lines = [
    t('email.greeting', { name: frame.firstName ?? 'none' }),
    '',
    ...parts.paragraphs.flatMap((p) => [p, '']),
  ];
  if (parts.highlight) lines.push(parts.highlight, '');
  lines.push(`${parts.action.label}: ${parts.action.url}`, '');
  if (parts.after) lines.push(parts.after, '');
  lines.push('--', t('email.footer', { program: frame.programName }));
  if (frame.unsubscribeUrl) lines.push(`${t('email.unsubscribe')}: ${frame.unsubscribeUrl}`);
  return `${lines.join('\n')}\n`;
}

/** One email in the participant's language, as HTML and as plain text saying the same. */
export function writeEmail(facts: EmailFacts, frame: EmailFrame): EmailContent & { kind: EmailKind } {
  const t = translator(frame.locale);
  const parts = partsOf(facts, frame, t);
  return {
    kind: facts.kind,
    subject: parts.subject,
    text: textOf(parts, frame, t),
    html: htmlOf(parts, frame, t),
  };
}
