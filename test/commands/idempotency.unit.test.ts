import { describe, expect, it } from 'vitest';
import { inputFingerprint, refuseOtherInput } from '../../src/commands/idempotency.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';

const COMMAND = '0b7c6a52-3f0e-4f57-9b43-6b0f4a1c2d10';

describe('input fingerprints', () => {
  it('are the same for the same input, whatever the order of its fields', () => {
    expect(inputFingerprint(COMMAND, { a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      inputFingerprint(COMMAND, { b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
  });

  it('tell an absent field from a null one, and one value from another', () => {
    const absent = inputFingerprint(COMMAND, { displayName: 'Ada' });
    expect(inputFingerprint(COMMAND, { displayName: 'Ada', bio: undefined })).toBe(absent);
    expect(inputFingerprint(COMMAND, { displayName: 'Ada', bio: null })).not.toBe(absent);
    expect(inputFingerprint(COMMAND, { displayName: 'Ade' })).not.toBe(absent);
  });

  it('differ between commands for the same input', () => {
    expect(inputFingerprint(COMMAND, { a: 1 })).not.toBe(
      inputFingerprint('4f8d0c9e-8a51-4a55-a3a4-0f3e2d1c0b9a', { a: 1 }),
    );
  });
});

describe('refusing a reused key', () => {
  const event = (commandId: string, fingerprint?: string) => ({
    metadata: { commandId, ...(fingerprint === undefined ? {} : { inputFingerprint: fingerprint }) },
  });

  it('lets a replay of the same input through, and events of other commands do not count', () => {
    const events = [event(COMMAND, 'same'), event('other', 'different')];
    expect(() => refuseOtherInput(events, { commandId: COMMAND, inputFingerprint: 'same' })).not.toThrow();
  });

  it('refuses the command when its earlier events were recorded for other input', () => {
    const refusal = (() => {
      try {
        refuseOtherInput([event(COMMAND, 'first')], { commandId: COMMAND, inputFingerprint: 'second' });
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('cannot tell without fingerprints, so lets events from before them and unkeyed commands through', () => {
    expect(() =>
      refuseOtherInput([event(COMMAND)], { commandId: COMMAND, inputFingerprint: 'x' }),
    ).not.toThrow();
    expect(() => refuseOtherInput([event(COMMAND, 'x')], { commandId: COMMAND })).not.toThrow();
  });
});
