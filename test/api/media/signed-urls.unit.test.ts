import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';
import { cacheLifetimeSeconds, deliveryExpiry, mediaUrls } from '../../../src/services/media/signed-urls.ts';
import { uploadTokens } from '../../../src/services/media/upload-tokens.ts';

const secret = new TextEncoder().encode('a-test-secret-that-is-at-least-32-characters');
const otherSecret = new TextEncoder().encode('another-secret-that-is-at-least-32-characters');
const now = new Date('2025-06-02T09:30:00.000Z');
const inTenMinutes = new Date('2025-06-02T09:40:00.000Z');

const refusal = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}/${error.reason}`;
    throw error;
  }
  return 'accepted';
};

describe('upload tokens', () => {
  const tokens = uploadTokens(secret);
  const assetId = randomUUID();

  it('name their asset and expiry, until they expire', () => {
    const token = tokens.issue(assetId, inTenMinutes);
    expect(tokens.verify(token, now)).toEqual({ assetId, expiresAt: inTenMinutes });
    expect(tokens.verify(token, inTenMinutes)).toEqual({ assetId, expiresAt: inTenMinutes });
    expect(refusal(() => tokens.verify(token, new Date(inTenMinutes.getTime() + 1)))).toBe(
      'FORBIDDEN/UPLOAD_URL_EXPIRED',
    );
  });

  it('refuse tokens changed in any part, or signed with another key', () => {
    const token = tokens.issue(assetId, inTenMinutes);
    const [, expires, signature] = token.split('.');
    for (const forged of [
      `${randomUUID()}.${expires}.${signature}`,
      `${assetId}.${Number(expires) + 1}.${signature}`,
      `${assetId}.${expires}.${signature?.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
      uploadTokens(otherSecret).issue(assetId, inTenMinutes),
      'garbage',
      '',
    ]) {
      expect(refusal(() => tokens.verify(forged, now))).toBe('FORBIDDEN/UPLOAD_URL_INVALID');
    }
  });
});

describe('signed media URLs', () => {
  const urls = mediaUrls(secret);
  const assetId = randomUUID();
  const params = (url: string) => {
    const parsed = new URL(url, 'http://localhost');
    return [parsed.searchParams.get('expires') ?? '', parsed.searchParams.get('signature') ?? ''] as const;
  };

  it('are valid for their asset and rendition until they expire', () => {
    const url = urls.signedMediaUrl(assetId, 'hls-720p-seg-00001', inTenMinutes);
    expect(url.startsWith(`/media/${assetId}/hls-720p-seg-00001?expires=`)).toBe(true);
    const [expires, signature] = params(url);
    expect(urls.verify(assetId, 'hls-720p-seg-00001', expires, signature, now)).toBe(true);
    expect(
      urls.verify(assetId, 'hls-720p-seg-00001', expires, signature, new Date(inTenMinutes.getTime() + 1000)),
    ).toBe(false);
    expect(urls.verify(assetId, 'hls-720p-seg-00002', expires, signature, now)).toBe(false);
    expect(urls.verify(randomUUID(), 'hls-720p-seg-00001', expires, signature, now)).toBe(false);
    expect(urls.verify(assetId, 'hls-720p-seg-00001', String(Number(expires) + 1), signature, now)).toBe(
      false,
    );
    expect(mediaUrls(otherSecret).verify(assetId, 'hls-720p-seg-00001', expires, signature, now)).toBe(false);
    expect(urls.verify(assetId, 'hls-720p-seg-00001', 'soon', signature, now)).toBe(false);
  });

  it('expire on a quarter hour at least the TTL away, so URLs repeat and caches hit', () => {
    expect(deliveryExpiry(now, 6 * 3600_000).toISOString()).toBe('2025-06-02T15:30:00.000Z');
    expect(deliveryExpiry(new Date('2025-06-02T09:30:00.001Z'), 6 * 3600_000).toISOString()).toBe(
      '2025-06-02T15:45:00.000Z',
    );
  });
});

describe('the cache lifetime signed into a delivery URL', () => {
  const sixHours = 6 * 3600_000;

  it('is what the URL has left at the end of the quarter hour, the same all quarter long', () => {
    const early = new Date('2025-06-02T09:30:00.001Z');
    const late = new Date('2025-06-02T09:44:59.999Z');
    const expiresAt = deliveryExpiry(early, sixHours);
    expect(deliveryExpiry(late, sixHours)).toEqual(expiresAt);
    expect(cacheLifetimeSeconds(early, expiresAt)).toBe(6 * 3600);
    expect(cacheLifetimeSeconds(late, expiresAt)).toBe(6 * 3600);
    expect(cacheLifetimeSeconds(late, expiresAt) * 1000).toBeLessThanOrEqual(
      expiresAt.getTime() - late.getTime(),
    );
  });

  it('shrinks with the time the URL has left, and is never negative', () => {
    const expiresAt = new Date('2025-06-02T10:00:00.000Z');
    expect(cacheLifetimeSeconds(new Date('2025-06-02T09:20:00.000Z'), expiresAt)).toBe(30 * 60);
    expect(cacheLifetimeSeconds(new Date('2025-06-02T09:50:00.000Z'), expiresAt)).toBe(0);
    expect(cacheLifetimeSeconds(new Date('2025-06-02T10:10:00.000Z'), expiresAt)).toBe(0);
  });
});
