/** Base of every object storage error; `code` is what callers switch on, never the message. */
export abstract class StorageError extends Error {
  abstract readonly code: string;
}

/** The stream being stored grew past `maxBytes`: nothing was kept. */
export class ObjectTooLarge extends StorageError {
  readonly code = 'OBJECT_TOO_LARGE';
  constructor(
    readonly key: string,
    readonly maxBytes: number,
  ) {
    super(`Object ${key} is larger than ${maxBytes} bytes`);
  }
}

export class ObjectNotFound extends StorageError {
  readonly code = 'OBJECT_NOT_FOUND';
  constructor(readonly key: string) {
    super(`Object ${key} not found`);
  }
}

/** A key that is not `/`-separated segments of `[A-Za-z0-9._-]` (no empty, dot-led or `..` segment). */
export class InvalidObjectKey extends StorageError {
  readonly code = 'INVALID_OBJECT_KEY';
  constructor(readonly key: string) {
    super(`Invalid object key ${JSON.stringify(key)}`);
  }
}

/** A byte range outside the object. */
export class InvalidRange extends StorageError {
  readonly code = 'INVALID_RANGE';
  constructor(
    readonly key: string,
    readonly range: ByteRange,
  ) {
    super(`Range ${range.start}-${range.end} is not within object ${key}`);
  }
}

export interface ByteRange {
  /** First byte, from 0. */
  start: number;
  /** Last byte, inclusive (as in HTTP's `bytes=start-end`). */
  end: number;
}
