import { compileRetryPolicy } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRANSCODING_SETTINGS,
  NON_RETRYABLE_MEDIA_FAILURES,
  resolveSettings,
  retryPolicy,
} from '../../../src/workflows/transcoding/settings.ts';

describe('transcoding settings', () => {
  it('turn every default into a retry policy Temporal accepts (unlimited attempts leave the field out)', () => {
    for (const settings of Object.values(DEFAULT_TRANSCODING_SETTINGS)) {
      expect(() => compileRetryPolicy(retryPolicy(settings, NON_RETRYABLE_MEDIA_FAILURES))).not.toThrow();
    }
    expect(retryPolicy(DEFAULT_TRANSCODING_SETTINGS.commands)).not.toHaveProperty('maximumAttempts');
    expect(retryPolicy(DEFAULT_TRANSCODING_SETTINGS.media, ['INVALID_MEDIA'])).toMatchObject({
      maximumAttempts: 3,
      nonRetryableErrorTypes: ['INVALID_MEDIA'],
    });
  });

  it('take what a run was started with over the defaults, part by part', () => {
    const settings = resolveSettings({ media: { heartbeatTimeoutMs: 2_000 } });
    expect(settings.media).toEqual({ ...DEFAULT_TRANSCODING_SETTINGS.media, heartbeatTimeoutMs: 2_000 });
    expect(settings.commands).toEqual(DEFAULT_TRANSCODING_SETTINGS.commands);
  });
});
