import { Transform, TransformCallback } from 'node:stream';

export const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const NUL = 0x00;
/**
 * The `data` stored for a discarded line, in COPY text format. None can be a kept line's:
 * kept lines are trimmed and never empty.
 */
const TOO_LONG = '\\N';
const NOT_JSON = '';
const NOT_UTF8 = ' ';
type DiscardMarker = typeof TOO_LONG | typeof NOT_JSON | typeof NOT_UTF8;

/** Why a staged line was discarded (its stored marker), or null for a line kept as sent. */
export function discardedLine(data: string | null): { code: 'line_too_long' | 'invalid_json'; message: string } | null {
  if (data === null) return { code: 'line_too_long', message: `the line is longer than ${MAX_LINE_BYTES / 1024} KB` };
  if (data === NOT_JSON) return { code: 'invalid_json', message: 'the line is not valid JSON (it holds a NUL byte)' };
  if (data === NOT_UTF8) return { code: 'invalid_json', message: 'the line is not valid UTF-8 (re-export the file as UTF-8)' };
  return null;
}

/** The upload is UTF-16 (it starts with that byte order mark): every line would be an error, so the whole upload is refused. */
export class NotUtf8UploadError extends Error {}

const UTF16_BOMS = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];

/** Refuses bytes that are not UTF-8 instead of replacing them: a Latin-1 "José" must not be stored as "Jos\uFFFD". */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
function copyEscape(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Turns an NDJSON byte stream into rows of `COPY import_lines (job_id, line, data)`,
 * without ever holding more than one line: blank lines are skipped (their numbers
 * still count, so errors point at the right line). A line PostgreSQL could not or
 * should not hold has its bytes discarded and a marker stored instead, which becomes
 * that line's error (see discardedLine): NULL for a line over 64 KB, '' (never valid
 * JSON) for a line with a raw NUL byte, which `text` refuses and which is invalid JSON
 * anyway, and ' ' for a line that is not UTF-8.
 */
export class NdjsonToCopy extends Transform {
  /** Records (non-blank lines) seen so far. */
  records = 0;
  private line = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Whether the upload's first bytes (where a byte order mark would be) have passed. */
  private seenBytes = false;
  /** Set once the current line is discarded: what its row stores instead. */
  private discarded: DiscardMarker | null = null;

  constructor(private readonly jobId: string) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.seenBytes && UTF16_BOMS.some((bom) => chunk.subarray(0, 2).equals(bom))) return done(new NotUtf8UploadError());
    this.seenBytes ||= chunk.length > 0;
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
    const text = this.discarded === null ? decodeUtf8(Buffer.concat(this.pending, this.pendingBytes)) : null;
    const data = this.discarded ?? (text === null ? NOT_UTF8 : copyEscape(text.trim()));
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
