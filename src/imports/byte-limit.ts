import { Transform, TransformCallback } from 'node:stream';

export class UploadTooLargeError extends Error {}

/** Passes bytes through until `maxBytes`, then fails the stream. */
export class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) return done(new UploadTooLargeError());
    done(null, chunk);
  }
}
