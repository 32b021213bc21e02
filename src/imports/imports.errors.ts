import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationFailedError } from '../platform/problem/app-error';

export class ImportNotFoundError extends NotFoundError {
  constructor() {
    super('Import');
  }
}

export class TooManyJsonRecordsError extends PayloadTooLargeError {
  constructor(max: number, got: number) {
    super(`A JSON upload takes at most ${max.toLocaleString('en')} records (got ${got.toLocaleString('en')}). Send them as NDJSON (Content-Type: application/x-ndjson, one record a line), up to IMPORT_MAX_UPLOAD_BYTES (2 GB by default).`);
  }
}

export class UploadTooLargeProblem extends PayloadTooLargeError {
  constructor(maxBytes: number) {
    super(`The upload is larger than ${maxBytes.toLocaleString('en')} bytes (IMPORT_MAX_UPLOAD_BYTES). Split it into several imports.`);
  }
}

/** An NDJSON upload without a record names the body (`''`), as a body that is no JSON object does. */
export class EmptyNdjsonImportError extends ValidationFailedError {
  constructor() {
    super(
      [{ field: '', message: 'the upload must hold at least one record (one JSON object a line)' }],
      'The upload has no records. Send one JSON object a line. Nothing was stored.',
    );
  }
}

/** Refused rather than ignored: a JSON upload run with the default options instead of the ones asked for looks like success. */
export class QueryOptionsWithJsonError extends ValidationFailedError {
  constructor(names: string[]) {
    super(
      names.map((field) => ({ field, message: `${field} is read from the query only for NDJSON uploads; send it in the body's "options"` })),
      `The options of an application/json upload go in its body ({"users": [...], "options": {...}}); query parameters (${names.join(', ')}) are read only for NDJSON uploads. Nothing was stored.`,
    );
  }
}

/** NDJSON is UTF-8 (as JSON is, RFC 8259 §8.1); a UTF-16 export would fail on every line after the 202. */
export class NdjsonNotUtf8Error extends UnsupportedMediaTypeError {
  constructor(what: string) {
    super(`The upload is ${what}; NDJSON uploads must be UTF-8. Re-export the file as UTF-8 (without changing anything else) and send it again. Nothing was stored.`);
  }
}
