import { loadConfig } from '../../src/lib/config.ts';
import { fanOut } from '../../src/services/webhooks/webhook-dispatch.ts';
import { createMailer, type Mailer, sendDueEmails } from '../../src/worker/email-worker.ts';
import { createTestApp, PUBLIC_URL, TEST_SECRET, type TestApp } from './app.ts';
import { startSmtp, type TestSmtp } from './smtp.ts';

export const SENDER = 'Northwind Rewards <rewards@northwind.example>';

export interface EmailTestApp extends TestApp {
  smtp: TestSmtp;
  mailer: Mailer;
  /** The outbox's new messages become emails, as the worker's fan-out does; none is sent. */
  fanOut(now?: Date): Promise<void>;
  /** What the worker does: fans out, then sends the emails due. How many it took. */
  deliver(now?: Date): Promise<number>;
}

/** A test app that sends its emails to a real SMTP server on 127.0.0.1, started for it. */
export async function createEmailTestApp(env: Record<string, string> = {}): Promise<EmailTestApp> {
  const smtp = await startSmtp();
  const emailEnv = { VOUCH_SMTP_URL: smtp.url, VOUCH_EMAIL_FROM: SENDER, ...env };
  const t = await createTestApp(emailEnv);
  const config = loadConfig({ VOUCH_PUBLIC_URL: PUBLIC_URL, ...emailEnv });
  if (!config.email) throw new Error('no email configuration');
  const mailer = createMailer(config.email, PUBLIC_URL);
  const mailing = { publicUrl: PUBLIC_URL, secret: TEST_SECRET };
  const fanOutAll = async (now: Date) => {
    while ((await t.store.transaction((trx) => fanOut(trx, now, 500, mailing))) > 0) {}
  };
  return {
    ...t,
    smtp,
    mailer,
    fanOut: (now = new Date()) => fanOutAll(now),
    async deliver(now = new Date()) {
      await fanOutAll(now);
      return sendDueEmails(t.store, mailer, () => now);
    },
    async close() {
      mailer.close();
      await t.close();
      await smtp.close();
    },
  };
}
