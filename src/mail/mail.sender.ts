import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createTransport, Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { AppConfig, redactUrl } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { RenderedMail } from './mail.templates';

/** Pooled SMTP: a handful of long-lived connections carry every message (nodemailer `pool`). */
export const SMTP_POOL = { pool: true, maxConnections: 5, maxMessages: Infinity } as const;

/**
 * Sends over SMTP_URL. Without it, messages are written to the log instead (with a
 * warning at start): the way to follow links on a laptop, never meant for production.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly logger = new Logger(MailSender.name);
  private readonly transport: Transporter | null;
  /** MAIL_FROM's bare address, for the SMTP envelope. */
  private readonly envelopeFrom: string;
  /** The right-hand side of every Message-ID: MAIL_FROM's domain. */
  private readonly messageIdDomain: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.envelopeFrom = firstAddress(config.mailFrom);
    this.messageIdDomain = this.envelopeFrom.split('@').pop() || 'localhost';
    this.transport = config.smtpUrl ? createTransport({ url: config.smtpUrl, ...SMTP_POOL } as never) : null;
    if (!this.transport) {
      this.logger.warn('SMTP_URL is not set: emails are written to this log instead of being sent. Set SMTP_URL (e.g. smtp://127.0.0.1:1025) to deliver them.');
    } else {
      this.logger.log(`Sending email through ${redactUrl(config.smtpUrl!)}`);
    }
  }

  /** What the SMTP server answered (for the log, to find the message in the relay's own logs), or null without SMTP_URL. */
  async send(to: string, mail: RenderedMail): Promise<{ messageId: string; response: string } | null> {
    if (!this.transport) {
      this.logger.warn({ to, subject: mail.subject, text: mail.text }, 'Email not sent (SMTP_URL unset); its content follows');
      return null;
    }
    // Built into one buffer first: streamed, the MIME parts reach the socket as dozens of
    // small writes per message, the costliest part of sending (docs/benchmarks.md).
    // The Message-ID and the MIME boundaries come from one UUID: left to nodemailer they
    // take a dozen synchronous randomBytes calls per message, counting sendMail's own
    // pass over the raw message.
    const id = randomUUID();
    const messageId = `<${id}@${this.messageIdDomain}>`;
    const raw = await new MailComposer({ from: this.config.mailFrom, to, subject: mail.subject, text: mail.text, html: mail.html, messageId, baseBoundary: id.replaceAll('-', '') }).compile().build();
    const info = await this.transport.sendMail({ envelope: { from: this.envelopeFrom, to: [to] }, raw, messageId });
    return { messageId, response: String(info.response ?? '') };
  }

  /** Not before: the mail workers close first (platform/queue) and their messages in flight still need the connections. */
  onApplicationShutdown(): void {
    this.transport?.close();
  }
}

function firstAddress(from: string): string {
  const [parsed] = addressparser(from, { flatten: true });
  return parsed?.address || from;
}
