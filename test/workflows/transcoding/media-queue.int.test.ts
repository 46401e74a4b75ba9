import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';
import {
  outcomeOf,
  sagaOf,
  startTranscodingHarness,
  type TranscodingHarness,
  upload,
} from './support/harness.ts';

let h: TranscodingHarness;
let fixtures: MediaFixtures;

beforeAll(async () => {
  [h, fixtures] = await Promise.all([startTranscodingHarness({ mediaQueue: true }), mediaFixtures()]);
});
afterAll(async () => {
  await h?.close();
});

describe('the transcoding saga with a media task queue', () => {
  it('sends probing, moderation and ffmpeg/sharp work there, and commands to the saga queue', async () => {
    const assetId = await upload(h, {
      kind: 'audio',
      file: fixtures.wav,
      fileName: 'hello.wav',
      contentType: 'audio/wav',
    });
    expect(await outcomeOf(h, assetId)).toEqual({ outcome: 'ready', renditions: 2 });

    const history = await (await sagaOf(h, assetId)).fetchHistory();
    const queues = new Map<string, Set<string>>();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      const type = scheduled?.activityType?.name;
      if (!type) continue;
      const seen = queues.get(type) ?? new Set<string>();
      seen.add(scheduled.taskQueue?.name ?? '');
      queues.set(type, seen);
    }
    const queueOf = (type: string) => [...(queues.get(type) ?? [])];
    expect(queueOf('probeMedia')).toEqual([h.mediaQueue]);
    expect(queueOf('moderateMedia')).toEqual([h.mediaQueue]);
    expect(queueOf('transcodeAudioRendition')).toEqual([h.mediaQueue]);
    expect(queueOf('markMediaReady')).toEqual([h.taskQueue]);
    expect(queueOf('recordMediaProgress')).toEqual([h.taskQueue]);
  });
});
