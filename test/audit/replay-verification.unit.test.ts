import { describe, expect, it } from 'vitest';
import type { ExportedEvent } from '../../src/audit/export-format.ts';
import { parseRangeBound } from '../../src/audit/export-range.ts';
import { checkLink } from '../../src/audit/replay-verification.ts';
import { chainLink, contentDigest, GENESIS_HASH } from '../../src/eventstore/hash-chain.ts';

const stream = 'user-0b6f3a52-64a3-4c1b-9b7a-2f8c1f1b9e11';

/** Two events of one stream, chained as the store chains them. */
function chained(): [ExportedEvent, ExportedEvent] {
  const base = { stream, metadata: { actor: 'user:x' }, createdAt: '2026-01-01T00:00:00.000Z' };
  const first = {
    ...base,
    position: '10',
    revision: '0',
    id: '6d2a7c0e-3b9e-4f0a-8a57-1b2c3d4e5f60',
    type: 'A',
    data: { n: 1 },
  };
  const second = {
    ...base,
    position: '11',
    revision: '1',
    id: '7e3b8d1f-4caf-4b1b-9b68-2c3d4e5f6071',
    type: 'B',
    data: { n: 2 },
  };
  const firstHash = chainLink(GENESIS_HASH, contentDigest(first));
  const secondHash = chainLink(firstHash, contentDigest(second));
  return [
    { ...first, hash: firstHash },
    { ...second, hash: secondHash },
  ];
}

describe('checking an export line by line', () => {
  it('accepts a stream whose links recompute, from revision 0', () => {
    const [first, second] = chained();
    const progress = checkLink(first, undefined, 1);
    expect(checkLink(second, progress, 2)).toMatchObject({ revision: 1n, hash: second.hash, cut: false });
  });

  it('names the line, stream, revision and event of an edited event', () => {
    const [first, second] = chained();
    const progress = checkLink(first, undefined, 1);
    expect(() => checkLink({ ...second, data: { n: 3 } }, progress, 2)).toThrow(
      expect.objectContaining({
        code: 'CHAIN_BROKEN',
        message: expect.stringContaining(`line 2: ${stream}@1 (event ${second.id})`),
      }),
    );
  });

  it('refuses an event repeated or out of its stream order', () => {
    const [first, second] = chained();
    const progress = checkLink(second, checkLink(first, undefined, 1), 2);
    expect(() => checkLink(first, progress, 3)).toThrow(
      expect.objectContaining({
        code: 'CHAIN_BROKEN',
        message: expect.stringContaining('follows revision 1'),
      }),
    );
  });

  it('takes the first link of a stream the range cuts as given', () => {
    const [, second] = chained();
    expect(checkLink(second, undefined, 1)).toMatchObject({ cut: true, revision: 1n });
  });
});

describe('range bounds', () => {
  it('reads digits as a position and ISO text as a time', () => {
    expect(parseRangeBound('123', 'from')).toEqual({ kind: 'position', position: 123n });
    expect(parseRangeBound('2026-01-02T03:04:05Z', 'to')).toEqual({
      kind: 'time',
      at: new Date('2026-01-02T03:04:05Z'),
    });
    expect(() => parseRangeBound('yesterday', 'from')).toThrow(/--from must be a global position/);
  });
});
