import { describe, expect, it } from 'vitest';
import { DEFAULT_PUBLISHING_SETTINGS, retryPolicy } from '../../../src/workflows/publishing/settings.ts';

describe('publishing retry policies', () => {
  it('leave maximumAttempts out for "unlimited" (Temporal refuses 0, which the default commands use)', () => {
    const policy = retryPolicy(DEFAULT_PUBLISHING_SETTINGS.commands);
    expect(policy).not.toHaveProperty('maximumAttempts');
    expect(policy).toMatchObject({ initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 60_000 });
  });

  it('keep a bounded number of attempts as given', () => {
    expect(retryPolicy(DEFAULT_PUBLISHING_SETTINGS.delivery).maximumAttempts).toBe(10);
  });
});
