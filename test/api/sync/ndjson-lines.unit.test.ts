import { describe, expect, it } from 'vitest';
import { RejectedRequest } from '../../../src/api/rejected-request.ts';
import { type NdjsonLimits, ndjsonLines } from '../../../src/api/sync/ndjson-lines.ts';

const LIMITS: NdjsonLimits = { maxBytes: 1_000, maxChanges: 3, maxLineBytes: 100 };

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part, 'utf8');
}

async function read(body: AsyncIterable<Uint8Array>, limits = LIMITS) {
  const values: unknown[] = [];
  for await (const line of ndjsonLines(body, limits)) values.push(line.value);
  return values;
}

async function refusal(body: AsyncIterable<Uint8Array>, limits = LIMITS): Promise<RejectedRequest> {
  try {
    await read(body, limits);
  } catch (error) {
    if (error instanceof RejectedRequest) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('NDJSON lines', () => {
  it('splits lines across any chunk boundaries, with \\r\\n, blank lines and no final newline', async () => {
    expect(await read(chunks('{"a":', '1}\r\n\n{"b":"é', '"}\n', '[1,2]'))).toEqual([
      { a: 1 },
      { b: 'é' },
      [1, 2],
    ]);
    // A multi-byte character split between two chunks.
    const e = Buffer.from('"é"\n', 'utf8');
    async function* split() {
      yield e.subarray(0, 2);
      yield e.subarray(2);
    }
    expect(await read(split())).toEqual(['é']);
  });

  it('refuses the body the moment it passes a limit (413 SYNC_TOO_LARGE), with the limits', async () => {
    const tooMany = await refusal(chunks('{}\n{}\n{}\n{}\n{}\n'));
    expect(tooMany).toMatchObject({ statusCode: 413, code: 'VALIDATION', reason: 'SYNC_TOO_LARGE' });
    expect(tooMany.details).toMatchObject({ maxChanges: 3, maxBytes: 1_000, maxLineBytes: 100 });

    let sent = 0;
    async function* endless() {
      for (;;) {
        sent++;
        yield Buffer.from(`${JSON.stringify({ pad: 'x'.repeat(50) })}\n`);
      }
    }
    expect(await refusal(endless(), { ...LIMITS, maxChanges: 1_000 })).toMatchObject({
      reason: 'SYNC_TOO_LARGE',
    });
    // Stopped at the byte limit, not read to the end (there is none).
    expect(sent).toBeLessThan(20);
  });

  it('never holds more than a line: a long line is refused before its end arrives', async () => {
    let sent = 0;
    async function* noNewline() {
      for (;;) {
        sent++;
        yield Buffer.from('x'.repeat(30));
      }
    }
    expect(await refusal(noNewline())).toMatchObject({ statusCode: 413, reason: 'SYNC_TOO_LARGE' });
    expect(sent).toBe(4);
  });

  it('a line that is not JSON is 400 MALFORMED_LINE with its number', async () => {
    const error = await refusal(chunks('{"deviceId":"x"}\n\n{not json}\n'));
    expect(error).toMatchObject({ statusCode: 400, reason: 'MALFORMED_LINE', details: { line: 3 } });
  });

  it('text holding NUL, escaped in the JSON, is 400 INVALID_INPUT with the line and the path', async () => {
    const error = await refusal(chunks('{}\n{"payload":{"text":"a\\u0000b"}}\n'));
    expect(error).toMatchObject({ statusCode: 400, reason: 'INVALID_INPUT', details: { line: 2 } });
    expect(error.details.issues).toEqual([{ path: ['payload', 'text'], message: expect.any(String) }]);
  });
});
