import { describe, expect, it } from 'vitest';
import { announcementsOf } from '../../src/projections/change-bus.ts';

const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ table: 't', key: { id: i } }));

describe('announcementsOf', () => {
  it('announces a batch without keys once, so waiters still learn the position', () => {
    expect(announcementsOf('p', 7n, [])).toEqual([
      { projection: 'p', position: '7', keys: [], truncated: false },
    ]);
  });

  it('announces every key of a wide batch, 100 at a time, none truncated', () => {
    const changes = announcementsOf('p', 9n, keys(250));
    expect(changes.map((change) => change.keys.length)).toEqual([100, 100, 50]);
    expect(changes.every((change) => !change.truncated && change.position === '9')).toBe(true);
    expect(changes.flatMap((change) => change.keys)).toEqual(keys(250));
  });

  it('marks only a batch past 50 announcements as truncated, in its last one', () => {
    const changes = announcementsOf('p', 1n, keys(5_001));
    expect(changes).toHaveLength(50);
    expect(changes.filter((change) => change.truncated)).toHaveLength(1);
    expect(changes.at(-1)?.truncated).toBe(true);
    expect(announcementsOf('p', 1n, keys(5_000)).some((change) => change.truncated)).toBe(false);
  });
});
