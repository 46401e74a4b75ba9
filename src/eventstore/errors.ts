import type { StreamRevision } from './port.ts';

/** Base of every event store error; `code` is what callers switch on, never the message. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

export class WrongExpectedVersion extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly stream: string,
    readonly expected: string,
    /** The stream's current revision, or 'no_stream'. */
    readonly actual: StreamRevision | 'no_stream',
  ) {
    super(`Stream ${stream}: expected revision ${expected}, actual ${actual}`);
  }
}

export class StreamNotFound extends EventStoreError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly stream: string) {
    super(`Stream ${stream} not found`);
  }
}

export class StreamDeleted extends EventStoreError {
  readonly code = 'STREAM_DELETED';
  constructor(readonly stream: string) {
    super(`Stream ${stream} is deleted for good (tombstoned)`);
  }
}

export class InvalidEvent extends EventStoreError {
  readonly code = 'INVALID_EVENT';
  constructor(
    message: string,
    /** Index of the offending event in the append call, when one event is at fault. */
    readonly index?: number,
  ) {
    super(message);
  }
}

export class IdempotencyMismatch extends EventStoreError {
  readonly code = 'IDEMPOTENCY_MISMATCH';
  constructor(readonly stream: string) {
    super(`Stream ${stream}: some but not all of the appended event ids were already written`);
  }
}
