import { Transform, TransformCallback } from 'node:stream';

export const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
function copyEscape(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Turns an NDJSON byte stream into rows of `COPY import_lines (job_id, line, data)`,
 * without ever holding more than one line: blank lines are skipped (their numbers
 * still count, so errors point at the right line), and a line over 64 KB is stored as
 * NULL (it becomes that line's error) while its bytes are discarded.
 */
export class NdjsonToCopy extends Transform {
  /** Records (non-blank lines) seen so far. */
  records = 0;
  private line = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overlong = false;

  constructor(private readonly jobId: string) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    const out: string[] = [];
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.append(chunk.subarray(start, end));
      this.endLine(out);
      start = end + 1;
    }
    this.append(chunk.subarray(start));
    done(null, out.length ? out.join('') : undefined);
  }

  _flush(done: TransformCallback): void {
    const out: string[] = [];
    if (this.pendingBytes || this.overlong) this.endLine(out);
    done(null, out.length ? out.join('') : undefined);
  }

  private append(part: Buffer): void {
    if (this.overlong || !part.length) return;
    if (this.pendingBytes + part.length > MAX_LINE_BYTES) {
      this.overlong = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private endLine(out: string[]): void {
    this.line += 1;
    if (this.overlong) {
      this.records += 1;
      out.push(`${this.jobId}\t${this.line}\t\\N\n`);
    } else {
      const text = Buffer.concat(this.pending, this.pendingBytes).toString('utf8').trim();
      if (text) {
        this.records += 1;
        out.push(`${this.jobId}\t${this.line}\t${copyEscape(text)}\n`);
      }
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.overlong = false;
  }
}

/** The same rows from records already in memory (the JSON upload): record n is line n. */
export function recordsToCopy(jobId: string, records: unknown[]): string[] {
  return records.map((record, index) => `${jobId}\t${index + 1}\t${copyEscape(JSON.stringify(record) ?? 'null')}\n`);
}
