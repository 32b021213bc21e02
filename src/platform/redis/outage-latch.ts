/**
 * Reports an outage once, at its first error, and its end once: ioredis reports every
 * failed reconnect attempt (one a second, then fewer), and a line for each says nothing
 * the first did not.
 */
export class OutageLatch {
  private down = false;

  constructor(private readonly report: { lost: (error: NodeJS.ErrnoException) => void; back: () => void }) {}

  lost(error: NodeJS.ErrnoException): void {
    if (this.down) return;
    this.down = true;
    this.report.lost(error);
  }

  back(): void {
    if (!this.down) return;
    this.down = false;
    this.report.back();
  }
}

/** What a log line says of a connection error: its code (ECONNREFUSED…) rather than a message repeating it. */
export function connectionErrorReason(error: NodeJS.ErrnoException): string {
  return error.code ?? error.message;
}
