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

/** Application streams: 1–255 characters, no control characters, no leading `$` (reserved for the system). */
export function assertStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0)
    throw new InvalidEvent('Stream name must be a non-empty string');
  if (stream.length > 255)
    throw new InvalidEvent(`Stream name is ${stream.length} characters; at most 255 allowed`);
  if (stream.startsWith('$'))
    throw new InvalidEvent(`Stream name ${stream} starts with '$', which is reserved`);
  if (CONTROL.test(stream)) throw new InvalidEvent('Stream name contains control characters');
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
    const dataProblem = jsonProblem(event.data, 'data');
    if (dataProblem) throw new InvalidEvent(`Event ${index} (${event.type}): ${dataProblem}`, index);
    const metadata = event.metadata ?? {};
    if (typeof metadata !== 'object' || Array.isArray(metadata) || metadata === null) {
      throw new InvalidEvent(`Event ${index} (${event.type}): metadata must be a JSON object`, index);
    }
    const metadataProblem = jsonProblem(metadata, 'metadata');
    if (metadataProblem) throw new InvalidEvent(`Event ${index} (${event.type}): ${metadataProblem}`, index);
    const encoded = { data: JSON.stringify(event.data), metadata: JSON.stringify(metadata) };
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

// In a `u` regex a well-formed surrogate pair is one code point, so this matches only lone halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** Strings PostgreSQL's JSON (and UTF-8 anywhere) cannot hold. */
function textProblem(text: string, path: string): string | undefined {
  if (text.includes('\u0000')) return `${path} contains a NUL character, which JSON storage rejects`;
  if (LONE_SURROGATE.test(text))
    return `${path} contains a lone UTF-16 surrogate, which is not valid Unicode`;
  return undefined;
}

/**
 * JSON.stringify quietly turns NaN into null and drops undefined and functions; an event store
 * must not store something other than what it was given, so those are errors here.
 */
function jsonProblem(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 64) return `${path} is nested deeper than 64 levels`;
  switch (typeof value) {
    case 'string':
      return textProblem(value, path);
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which is not JSON`;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = jsonProblem(value[i], `${path}[${i}]`, depth + 1);
          if (problem) return problem;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null)
        return `${path} is a ${proto?.constructor?.name ?? 'non-plain object'}, not plain JSON`;
      for (const [key, child] of Object.entries(value)) {
        const problem = textProblem(key, `${path} key`) ?? jsonProblem(child, `${path}.${key}`, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return `${path} is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which is not JSON`;
  }
}
