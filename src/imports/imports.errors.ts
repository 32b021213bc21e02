import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../platform/problem/app-error';

export class ImportNotFoundError extends NotFoundError {
  constructor() {
    super('Import');
  }
}

export class TooManyJsonRecordsError extends PayloadTooLargeError {
  constructor(max: number, got: number) {
    super(`A JSON upload takes at most ${max.toLocaleString('en')} records (got ${got.toLocaleString('en')}). Send them as NDJSON (Content-Type: application/x-ndjson, one record a line) for any size.`);
  }
}

export class UploadTooLargeProblem extends PayloadTooLargeError {
  constructor(maxBytes: number) {
    super(`The upload is larger than ${maxBytes.toLocaleString('en')} bytes (IMPORT_MAX_UPLOAD_BYTES). Split it into several imports.`);
  }
}

export class EmptyImportError extends BadRequestError {
  constructor() {
    super('The upload has no records. Send one JSON object per line (NDJSON) or {"users": [...]}.');
  }
}
