import { Transform, TransformCallback } from 'node:stream';

export const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const NUL = 0x00;
/** The `data` stored for a discarded line, in COPY text format. */
const TOO_LONG = '\\N';
const NOT_JSON = '';
type DiscardMarker = typeof TOO_LONG | typeof NOT_JSON;

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
function copyEscape(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Turns an NDJSON byte stream into rows of `COPY import_lines (job_id, line, data)`,
 * without ever holding more than one line: blank lines are skipped (their numbers
 * still count, so errors point at the right line). A line PostgreSQL could not or
 * should not hold has its bytes discarded and a marker stored instead, which becomes
 * that line's error: NULL for a line over 64 KB, and '' (never valid JSON) for a line
 * with a raw NUL byte, which `text` refuses and which is invalid JSON anyway.
 */
export class NdjsonToCopy extends Transform {
  /** Records (non-blank lines) seen so far. */
  records = 0;
  private line = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set once the current line is discarded: what its row stores instead. */
  private discarded: DiscardMarker | null = null;

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
    if (this.pendingBytes || this.discarded !== null) this.endLine(out);
    done(null, out.length ? out.join('') : undefined);
  }

  private append(part: Buffer): void {
    if (this.discarded !== null || !part.length) return;
    if (this.pendingBytes + part.length > MAX_LINE_BYTES) this.discard(TOO_LONG);
    // In UTF-8 a 0x00 byte is always U+0000, never part of another character.
    else if (part.includes(NUL)) this.discard(NOT_JSON);
    else {
      this.pending.push(part);
      this.pendingBytes += part.length;
    }
  }

  private discard(marker: DiscardMarker): void {
    this.discarded = marker;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private endLine(out: string[]): void {
    this.line += 1;
    const data = this.discarded ?? copyEscape(Buffer.concat(this.pending, this.pendingBytes).toString('utf8').trim());
    if (this.discarded !== null || data) {
      this.records += 1;
      out.push(`${this.jobId}\t${this.line}\t${data}\n`);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.discarded = null;
  }
}

/** The same rows from records already in memory (the JSON upload): record n is line n. */
export function recordsToCopy(jobId: string, records: unknown[]): string[] {
  return records.map((record, index) => `${jobId}\t${index + 1}\t${copyEscape(JSON.stringify(record) ?? 'null')}\n`);
}
