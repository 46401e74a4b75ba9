import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidEvent } from '../../src/eventstore/errors.ts';
import { contentDigest } from '../../src/eventstore/hash-chain.ts';
import { appendPayload } from '../../src/eventstore/postgres/append-payload.ts';
import { DEFAULT_LIMITS } from '../../src/eventstore/validation.ts';

const samples: unknown[] = [
  null,
  0,
  -0,
  1.5e-7,
  12345678901234,
  'plain',
  'quotes " and \\ and \n and é and 😀',
  [],
  [1, 'two', { b: 2, a: 1 }, [null, true, false]],
  { z: 1, a: { y: [3, 2, 1], b: 'x' }, é: 2, É: 3, '10': 'ten', '9': 'nine', '': 'empty' },
  Object.assign(Object.create(null), { b: 1, a: 2 }),
];

describe('appendPayload', () => {
  it('digests exactly what canonicalJson digests, and stores the same value', () => {
    for (const data of samples) {
      const metadata = { actor: 'user:1', nested: { z: [1, { y: 2, x: 1 }] } };
      const event = { id: randomUUID(), type: 'Sampled', data, metadata };
      const [item] = JSON.parse(appendPayload([event], DEFAULT_LIMITS));
      expect(item.digest).toBe(contentDigest({ type: event.type, data, metadata }));
      expect(item.data).toEqual(JSON.parse(JSON.stringify(data)));
      expect(item.metadata).toEqual(metadata);
    }
  });

  it('refuses what JSON cannot hold, naming where', () => {
    const bad: [unknown, RegExp][] = [
      [{ a: Number.NaN }, /data\.a is NaN/],
      [{ a: [1, undefined] }, /data\.a\[1\] is undefined/],
      [{ when: new Date() }, /data\.when is a Date/],
      [{ text: 'a\u0000b' }, /NUL/],
      [{ text: '\ud800' }, /lone UTF-16 surrogate/],
      [{ '\udc00': 1 }, /key contains a lone/],
    ];
    for (const [data, message] of bad) {
      const attempt = () => appendPayload([{ id: randomUUID(), type: 'Bad', data }], DEFAULT_LIMITS);
      expect(attempt).toThrow(InvalidEvent);
      expect(attempt).toThrow(message);
    }
  });
});
