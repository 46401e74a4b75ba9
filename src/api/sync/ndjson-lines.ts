import { validation } from '../../domain/shared/domain-error.ts';
import { firstNulPath } from '../limits/text-input.ts';
import { RejectedRequest } from '../rejected-request.ts';

export interface NdjsonLimits {
  /** Bytes of the whole body. */
  maxBytes: number;
  /** Change lines (after the header line; blank lines are not counted). */
  maxChanges: number;
  /** Bytes of one line: a longer one is refused before it is held whole. */
  maxLineBytes: number;
}

export interface NdjsonLine {
  /** 1-based, counting blank lines, as an editor shows them. */
  number: number;
  value: unknown;
  bytes: number;
}

const NEWLINE = 0x0a;

/**
 * The JSON values of a sync's NDJSON body (a header line, then one change per line), one per line, as the bytes arrive: at most one line is held
 * at a time, and the body is refused (413 VALIDATION SYNC_TOO_LARGE) as soon as it passes any of
 * `limits`, so a client can never make the server buffer more than `maxLineBytes` of it. A line
 * that is not JSON is 400 VALIDATION MALFORMED_LINE with its number, and text holding NUL 400
 * VALIDATION INVALID_INPUT, as GraphQL refuses it. Blank lines (and a trailing
 * newline, and `\r\n` endings) are allowed.
 */
export async function* ndjsonLines(
  body: AsyncIterable<Uint8Array>,
  limits: NdjsonLimits,
): AsyncGenerator<NdjsonLine> {
  let total = 0;
  let number = 0;
  let values = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const lineOf = (bytes: Buffer): NdjsonLine | null => {
    number++;
    const text = bytes.toString('utf8').trim();
    if (text === '') return null;
    if (++values > limits.maxChanges + 1) throw tooLarge(limits, `more than ${limits.maxChanges} changes`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new RejectedRequest(400, 'VALIDATION', 'MALFORMED_LINE', `Line ${number} is not JSON`, {
        line: number,
      });
    }
    // As GraphQL refuses it anywhere in a request (text-input.ts): PostgreSQL cannot store it.
    const nul = firstNulPath(value);
    if (nul) {
      throw new RejectedRequest(
        400,
        'VALIDATION',
        'INVALID_INPUT',
        `Invalid input (line ${number}: text may not contain the NUL character)`,
        { line: number, issues: [{ path: nul, message: 'text may not contain the NUL character' }] },
      );
    }
    return { number, value, bytes: bytes.length };
  };
  for await (const chunk of body) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += bytes.length;
    if (total > limits.maxBytes) throw tooLarge(limits, `more than ${limits.maxBytes} bytes`);
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, end);
      if (pendingBytes + piece.length > limits.maxLineBytes) throw lineTooLong(limits, number + 1);
      const line = lineOf(pending.length === 0 ? piece : Buffer.concat([...pending, piece]));
      pending = [];
      pendingBytes = 0;
      start = end + 1;
      if (line) yield line;
    }
    const rest = bytes.subarray(start);
    if (rest.length === 0) continue;
    pendingBytes += rest.length;
    if (pendingBytes > limits.maxLineBytes) throw lineTooLong(limits, number + 1);
    // Copied: the chunk's memory may be reused by the stream once it has been handed on.
    pending.push(Buffer.from(rest));
  }
  if (pendingBytes > 0) {
    const line = lineOf(Buffer.concat(pending));
    if (line) yield line;
  }
}

const tooLarge = (limits: NdjsonLimits, what: string) =>
  new RejectedRequest(
    413,
    'VALIDATION',
    'SYNC_TOO_LARGE',
    `The body holds ${what}; split the batch into several syncs`,
    { form: 'ndjson', ...limits },
  );

const lineTooLong = (limits: NdjsonLimits, line: number) =>
  new RejectedRequest(
    413,
    'VALIDATION',
    'SYNC_TOO_LARGE',
    `Line ${line} is longer than ${limits.maxLineBytes} bytes`,
    { form: 'ndjson', line, ...limits },
  );

/** The first line of a sync body must be the request's header object (its fields are checked by the service). */
export function headerOf(line: NdjsonLine | undefined): object {
  const value = line?.value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  throw validation(
    'MALFORMED_LINE',
    'The first line must be the sync header: {"deviceId", "cursor"?, "snapshotToken"?, "deviceTime"?}',
    { line: line?.number ?? 1 },
  );
}
