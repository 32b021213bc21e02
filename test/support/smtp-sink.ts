import { ParsedMail, simpleParser } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  /** The From address, bare. */
  from: string;
  messageId: string;
  subject: string;
  text: string;
  html: string;
  /** Every absolute link in the text part. */
  links: string[];
  /** The From header as written, display name included. */
  fromHeader?: string;
  /** The Date header, parsed. */
  date?: Date;
  /** The message's header block exactly as received (CRLF line ends, folded lines kept). */
  rawHeaders?: string;
}

/** A real SMTP server on loopback that keeps what it receives, for tests and benchmarks. */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private readonly waiters: (() => void)[] = [];
  private server?: SMTPServer;
  /** Set to make the server refuse messages (to test retries). */
  refuse = false;
  /** How long the server takes over each message before accepting it (to keep a batch in flight). */
  delayMs = 0;

  get url(): string {
    return `smtp://127.0.0.1:${(this.server!.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.refuse) {
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 450 })));
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        simpleParser(stream)
          .then(async (mail: ParsedMail) => {
            const raw = Buffer.concat(chunks).toString('utf8');
            if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
            this.messages.push({
              to: [mail.to].flat().map((a) => a?.text ?? '').join(','),
              from: mail.from?.value[0]?.address ?? '',
              messageId: mail.messageId ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              links: [...(mail.text ?? '').matchAll(/https?:\/\/\S+/g)].map((m) => m[0]),
              fromHeader: mail.from?.text ?? '',
              date: mail.date,
              rawHeaders: headerBlock(raw),
            });
            this.waiters.splice(0).forEach((wake) => wake());
            callback();
          })
          .catch(callback);
      },
    });
    // A client that dies mid-session (a killed worker) resets its connection: not the sink's failure.
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Resolves with the first message (in arrival order) that matches, waiting up to `timeoutMs`. */
  async waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching email within ${timeoutMs} ms (received ${this.messages.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.toLowerCase().includes(address.toLowerCase()));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Everything before the first empty line: the header block. */
function headerBlock(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  return end < 0 ? raw : raw.slice(0, end);
}
