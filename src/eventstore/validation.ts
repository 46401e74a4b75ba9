import { InvalidEvent } from './errors.ts';
import type { EventToAppend } from './port.ts';

export interface Limits {
  /** Bytes of JSON data + metadata per event. */
  maxEventBytes: number;
  /** Events per append call. */
  maxEventsPerAppend: number;
}

export const DEFAULT_LIMITS: Limits = { maxEventBytes: 1024 * 1024, maxEventsPerAppend: 10_000 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_TYPE = /^[A-Za-z][\w.:/-]{0,127}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what it rejects
const CONTROL = /[\u0000-\u001f\u007f]/;
// In a `u` regex a well-formed surrogate pair is one code point, so this matches only lone halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** Application streams: 1–255 characters, no control characters, no leading `$` (reserved for the system). */
export function assertStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0)
    throw new InvalidEvent('Stream name must be a non-empty string');
  if (stream.length > 255)
    throw new InvalidEvent(`Stream name is ${stream.length} characters; at most 255 allowed`);
  if (stream.startsWith('$'))
    throw new InvalidEvent(`Stream name ${stream} starts with '$', which is reserved`);
  if (CONTROL.test(stream)) throw new InvalidEvent('Stream name contains control characters');
  // PostgreSQL stores text as UTF-8, where a lone half becomes U+FFFD: two names would alias.
  if (LONE_SURROGATE.test(stream))
    throw new InvalidEvent('Stream name contains a lone UTF-16 surrogate, which is not valid Unicode');
}

/** Checks an append call and returns each event's serialised data and metadata (so they are encoded once). */
export function validateEvents(
  events: readonly EventToAppend[],
  limits: Limits,
): { data: string; metadata: string }[] {
  if (!Array.isArray(events) || events.length === 0)
    throw new InvalidEvent('An append needs at least one event');
  if (events.length > limits.maxEventsPerAppend) {
    throw new InvalidEvent(
      `An append holds at most ${limits.maxEventsPerAppend} events; got ${events.length}`,
    );
  }
  const seen = new Set<string>();
  return events.map((event, index) => {
    if (typeof event?.id !== 'string' || !UUID.test(event.id)) {
      throw new InvalidEvent(`Event ${index}: id must be a UUID`, index);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new InvalidEvent(`Event ${index}: id ${id} appears twice in one append`, index);
    seen.add(id);
    if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type)) {
      throw new InvalidEvent(
        `Event ${index}: type must start with a letter and hold at most 128 of [A-Za-z0-9_.:/-]`,
        index,
      );
    }
    const metadata = event.metadata ?? {};
    if (typeof metadata !== 'object' || Array.isArray(metadata) || metadata === null) {
      throw new InvalidEvent(`Event ${index} (${event.type}): metadata must be a JSON object`, index);
    }
    let encoded: { data: string; metadata: string };
    try {
      encoded = {
        data: canonicalEncode(event.data, 'data', 0),
        metadata: canonicalEncode(metadata, 'metadata', 0),
      };
    } catch (error) {
      if (!(error instanceof NotJson)) throw error;
      throw new InvalidEvent(`Event ${index} (${event.type}): ${error.message}`, index);
    }
    const bytes = Buffer.byteLength(encoded.data) + Buffer.byteLength(encoded.metadata);
    if (bytes > limits.maxEventBytes) {
      throw new InvalidEvent(
        `Event ${index} (${event.type}) is ${bytes} bytes; the limit is ${limits.maxEventBytes}`,
        index,
      );
    }
    return encoded;
  });
}

/** Strings PostgreSQL's JSON (and UTF-8 anywhere) cannot hold. */
function textProblem(text: string, path: string): string | undefined {
  if (text.includes('\u0000')) return `${path} contains a NUL character, which JSON storage rejects`;
  if (LONE_SURROGATE.test(text))
    return `${path} contains a lone UTF-16 surrogate, which is not valid Unicode`;
  return undefined;
}

class NotJson extends Error {}

/**
 * The value as canonical JSON (object keys sorted at every depth, as hash-chain.ts's canonicalJson
 * writes it), checked on the way: one pass gives both what is stored and what the chain digests.
 * JSON.stringify would quietly turn NaN into null and drop undefined and functions; an event store
 * must not store something other than what it was given, so those are errors here.
 */
function canonicalEncode(value: unknown, path: string, depth: number): string {
  if (depth > 64) throw new NotJson(`${path} is nested deeper than 64 levels`);
  switch (typeof value) {
    case 'string': {
      const problem = textProblem(value, path);
      if (problem) throw new NotJson(problem);
      return JSON.stringify(value);
    }
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`${path} is ${value}, which is not JSON`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += canonicalEncode(value[i], `${path}[${i}]`, depth + 1);
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null)
        throw new NotJson(`${path} is a ${proto?.constructor?.name ?? 'non-plain object'}, not plain JSON`);
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        const keyProblem = textProblem(key, `${path} key`);
        if (keyProblem) throw new NotJson(keyProblem);
        if (i > 0) out += ',';
        out += `${JSON.stringify(key)}:${canonicalEncode(record[key], `${path}.${key}`, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      throw new NotJson(
        `${path} is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which is not JSON`,
      );
  }
}
