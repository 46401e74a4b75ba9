import { describe, expect, it } from 'vitest';
import { canWatch } from '../../../src/domain/videos/video-post-policy.ts';
import { normaliseTag, videoTags } from '../../../src/domain/videos/video-values.ts';
import { OWNER_ID, STRANGER_ID } from './video-fixtures.ts';

describe('normaliseTag', () => {
  it('gives one spelling per tag', () => {
    expect(normaliseTag('#Cats')).toBe('cats');
    expect(normaliseTag('  CATS ')).toBe('cats');
    expect(normaliseTag('##  Street\tSkating ')).toBe('street skating');
    expect(normaliseTag('Cafe\u0301')).toBe('café');
  });

  it('is idempotent, and the stored schema accepts only its output', () => {
    for (const raw of ['#Cats', ' Street  Skating', 'ÉTÉ']) {
      expect(normaliseTag(normaliseTag(raw))).toBe(normaliseTag(raw));
    }
    expect(videoTags.safeParse(['cats', 'street skating']).success).toBe(true);
    expect(videoTags.safeParse(['Cats']).success).toBe(false);
    expect(videoTags.safeParse(['cats', 'cats']).success).toBe(false);
  });
});

describe('canWatch', () => {
  const viewer = (userId: string | null, admin = false) => ({ userId, admin });

  it('shows public and unlisted posts to anyone, private ones to their owner and admins', () => {
    for (const visibility of ['public', 'unlisted'] as const) {
      expect(canWatch({ ownerId: OWNER_ID, visibility }, viewer(null))).toBe(true);
    }
    const secret = { ownerId: OWNER_ID, visibility: 'private' as const };
    expect(canWatch(secret, viewer(OWNER_ID))).toBe(true);
    expect(canWatch(secret, viewer(STRANGER_ID, true))).toBe(true);
    expect(canWatch(secret, viewer(STRANGER_ID))).toBe(false);
    expect(canWatch(secret, viewer(null))).toBe(false);
  });
});
