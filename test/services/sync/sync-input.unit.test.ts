import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';
import { SYNC_LIMITS } from '../../../src/domain/sync/change-types.ts';
import { assertWithinLimits, parseChange, parseCursor } from '../../../src/services/sync/sync-input.ts';

const change = (overrides: Record<string, unknown> = {}) => ({
  changeId: 'device-1:change-0001',
  type: 'module.progress',
  entityId: 'A0B1C2D3-0000-4000-8000-000000000001',
  baseVersion: 3,
  clientTime: '2026-12-07T10:00:00.000+02:00',
  payload: { percent: 40 },
  ...overrides,
});

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('sync input', () => {
  it('takes a valid change as the type`s schemas parse it (ids in one spelling)', () => {
    expect(parseChange(change())).toEqual({
      change: { ...change(), entityId: 'a0b1c2d3-0000-4000-8000-000000000001' },
    });
  });

  it('refuses a change on its own, under the id it was sent with, with zod`s message', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [change({ payload: { percent: 101 } }), 'INVALID_CHANGE', 'payload.percent'],
      [change({ changeId: 'has spaces in it' }), 'INVALID_CHANGE', 'changeId'],
      [change({ baseVersion: -2 }), 'INVALID_CHANGE', 'baseVersion'],
      [change({ clientTime: '2026-12-07 10:00' }), 'INVALID_CHANGE', 'clientTime'],
      [change({ payload: [40] }), 'INVALID_CHANGE', 'payload'],
      [change({ type: '__proto__' }), 'UNKNOWN_CHANGE_TYPE', '__proto__'],
      [
        change({ payload: { percent: 1, pad: 'x'.repeat(SYNC_LIMITS.maxPayloadBytes) } }),
        'PAYLOAD_TOO_LARGE',
        'bytes',
      ],
    ];
    for (const [raw, code, mentioned] of cases) {
      const parsed = parseChange(raw);
      expect(parsed, code).toEqual({
        changeId: raw.changeId,
        invalid: expect.objectContaining({ code, category: 'VALIDATION' }),
      });
      expect('invalid' in parsed && parsed.invalid.message).toContain(mentioned);
    }
    expect(parseChange('not an object')).toMatchObject({ changeId: '', invalid: { code: 'INVALID_CHANGE' } });
  });

  it('reads cursors as positions, refusing anything else as CURSOR_INVALID', () => {
    expect(parseCursor(undefined)).toBeNull();
    expect(parseCursor('-1')).toBe(-1n);
    expect(parseCursor('9007199254740993')).toBe(9007199254740993n);
    expect(parseCursor('9223372036854775807')).toBe(2n ** 63n - 1n);
    // Nineteen digits past int64 are no position either (not a cursor ahead of the feed).
    for (const bad of [
      '',
      '01',
      '1.5',
      '-2',
      '1e3',
      ' 1',
      '99999999999999999999',
      '9223372036854775808',
      '9'.repeat(19),
    ]) {
      expect(
        thrown(() => parseCursor(bad)),
        bad,
      ).toMatchObject({ code: 'VALIDATION', reason: 'CURSOR_INVALID' });
    }
  });

  it('refuses a sync over its form`s changes or bytes as SYNC_TOO_LARGE, with the limits', () => {
    const { maxChanges, maxBytes } = SYNC_LIMITS.graphql;
    expect(() => assertWithinLimits('graphql', { changes: maxChanges, bytes: maxBytes })).not.toThrow();
    expect(thrown(() => assertWithinLimits('graphql', { changes: 1, bytes: maxBytes + 1 }))).toMatchObject({
      reason: 'SYNC_TOO_LARGE',
      details: { form: 'graphql', changes: 1, bytes: maxBytes + 1, maxChanges, maxBytes },
    });
    expect(
      thrown(() => assertWithinLimits('ndjson', { changes: SYNC_LIMITS.ndjson.maxChanges + 1, bytes: 10 })),
    ).toMatchObject({ reason: 'SYNC_TOO_LARGE', details: { form: 'ndjson' } });
  });
});
