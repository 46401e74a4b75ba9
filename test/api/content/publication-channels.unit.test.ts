import { describe, expect, it } from 'vitest';
import {
  describeDeliveryFailure,
  toPublicationChannels,
} from '../../../src/api/content/publication-channels.ts';
import { DELIVERY_FAILURE_REASONS } from '../../../src/domain/content/content-values.ts';

describe("a publication's channels as the API shows them", () => {
  it('says why the last attempt failed in words, from the stored failure', () => {
    const channels = toPublicationChannels([
      {
        channelId: 'c1',
        kind: 'webhook',
        state: 'delivering',
        location: null,
        attempts: 2,
        lastError: { reason: 'http_status', status: 503 },
        lastAttemptAt: '2025-06-02T09:30:00.000Z',
      },
    ]);
    expect(channels).toEqual([
      {
        channelId: 'c1',
        kind: 'webhook',
        state: 'delivering',
        location: null,
        attempts: 2,
        lastError: 'the receiver answered HTTP 503',
        lastAttemptAt: '2025-06-02T09:30:00.000Z',
      },
    ]);
  });

  it('reads rows the projection wrote before it tracked deliveries (served while it rebuilds)', () => {
    expect(
      toPublicationChannels([
        { channelId: 'c1', kind: 'webhook', state: 'published', location: 'https://x.example/1' },
        { channelId: 'c2', kind: 'feed', state: 'pending', location: null },
      ]),
    ).toEqual([
      {
        channelId: 'c1',
        kind: 'webhook',
        state: 'delivered',
        location: 'https://x.example/1',
        attempts: 1,
        lastError: null,
        lastAttemptAt: null,
      },
      {
        channelId: 'c2',
        kind: 'feed',
        state: 'pending',
        location: null,
        attempts: 0,
        lastError: null,
        lastAttemptAt: null,
      },
    ]);
  });

  it('has words for every reason, none naming a target', () => {
    const words = DELIVERY_FAILURE_REASONS.map((reason) => describeDeliveryFailure({ reason, status: null }));
    expect(new Set(words).size).toBe(DELIVERY_FAILURE_REASONS.length);
    for (const text of words) expect(text).toMatch(/^the /);
  });
});
