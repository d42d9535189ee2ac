import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';
import { isPermanentSmtpFailure } from '../domain/emails.ts';
import type { EmailConfig } from '../lib/config.ts';
import { type EmailRow, recordSending, type SendResult, takeDueEmails } from '../services/emails/outgoing.ts';
import type { Store } from '../store/database.ts';
import { every } from './every.ts';

const BATCH = 20;
/** Longer than an SMTP conversation can take (nodemailer's own timeouts end one within minutes). */
const LEASE_MS = 10 * 60_000;

/** The headers of one email: a stable Message-ID, and one-click unsubscribe where it may have one. */
export function headersOf(email: EmailRow, publicUrl: string): Record<string, string> {
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  if (email.unsubscribe_url) {
    // RFC 8058: a POST to the link unsubscribes, with no page to visit and no confirmation.
    headers['List-Unsubscribe'] = `<${email.unsubscribe_url}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  headers['X-Vouch-Email'] = `${email.kind}; ${new URL(publicUrl).host}`;
  return headers;
}

/** A pool of connections to the server the URL names: smtps: is TLS from the start, smtp: STARTTLS when offered. */
export function transportOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    pool: true as const,
    maxConnections: 2,
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
  };
}

/** Sends one email over SMTP; what the server said, never thrown. */
export interface Mailer {
  send(email: EmailRow): Promise<SendResult>;
  close(): void;
}

export function createMailer(config: EmailConfig, publicUrl: string): Mailer {
  const transport = nodemailer.createTransport(transportOptions(config.smtpUrl));
  const host = new URL(publicUrl).hostname;
  return {
    async send(email) {
      try {
        await transport.sendMail({
          from: config.from,
          replyTo: config.replyTo,
          to: email.to_address,
          subject: email.subject,
          text: email.text_body,
          html: email.html_body,
          messageId: `<${email.id}@${host}>`,
          date: new Date(email.created_at),
          headers: headersOf(email, publicUrl),
        });
        return { sent: true };
      } catch (err) {
        const { responseCode, message } = err as { responseCode?: number; message?: string };
        // The server's words, not the address: logs and rows carry nothing personal.
        const error = String(message ?? err).slice(0, 500);
        return { sent: false, error, permanent: isPermanentSmtpFailure(responseCode) };
      }
    },
    close: () => transport.close(),
  };
}

/**
 * Sends every email due now, a batch per lease. An email is marked sent only after the server took
 * it; a worker killed in between sends it again once its lease runs out, with the same Message-ID,
 * so the copy is recognisable. How many were taken.
 */
export async function sendDueEmails(
  store: Store,
  mailer: Mailer,
  now: () => Date,
  log?: Pick<FastifyBaseLogger, 'warn'>,
): Promise<number> {
  let taken = 0;
  for (;;) {
    const due = await store.transaction((trx) => takeDueEmails(trx, now(), LEASE_MS, BATCH));
    for (const email of due) {
      const result = await mailer.send(email);
      const status = await store.transaction((trx) => recordSending(trx, email, result, now()));
      if (status !== 'sent')
        log?.warn({ email: email.id, kind: email.kind, status }, 'an email was not sent');
    }
    taken += due.length;
    if (due.length < BATCH) return taken;
  }
}

/**
 * Sends the emails written by the outbox and the sign-in form every `intervalMs`, inside `vouch
 * serve` and `vouch worker`. Safe with several processes: each email is leased in the database.
 * Returns a stop function.
 */
export function startEmailWorker(
  store: Store,
  config: EmailConfig,
  publicUrl: string,
  log: FastifyBaseLogger,
  now: () => Date,
  intervalMs = 1_000,
): () => Promise<void> {
  const mailer = createMailer(config, publicUrl);
  const sweep = async () => {
    await sendDueEmails(store, mailer, now, log);
  };
  const stop = every(intervalMs, sweep, log, 'sending emails failed; trying again');
  return async () => {
    await stop();
    mailer.close();
  };
}
