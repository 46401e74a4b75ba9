import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaModerator } from '../../../src/media/moderation/create-moderator.ts';
import { type ModerationServer, startModerationServer } from '../../media/support/moderation-server.ts';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';
import {
  eventsOfType,
  mediaEvents,
  outcomeOf,
  startTranscodingHarness,
  storedRenditions,
  type TranscodingHarness,
  upload,
} from './support/harness.ts';

let h: TranscodingHarness;
let fixtures: MediaFixtures;
let openai: ModerationServer;

beforeAll(async () => {
  openai = await startModerationServer();
  openai.flag('gore', ['violence']);
  [h, fixtures] = await Promise.all([
    startTranscodingHarness({
      moderator: createMediaModerator({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl }),
    }),
    mediaFixtures(),
  ]);
});
afterAll(async () => {
  await h?.close();
  await openai?.close();
});

describe('moderation in the transcoding saga, with an OpenAI key', () => {
  it('shows OpenAI the poster frame and the file name, and records that OpenAI decided', async () => {
    const assetId = await upload(h, {
      kind: 'video',
      file: fixtures.video720p,
      fileName: 'birthday.mp4',
      contentType: 'video/mp4',
    });

    expect(await outcomeOf(h, assetId)).toMatchObject({ outcome: 'ready' });
    const [moderated] = eventsOfType(await mediaEvents(h, assetId), 'MediaModerated');
    expect(moderated?.data).toEqual({ assetId, checker: 'openai', decision: 'allowed', reasons: [] });
    const request = openai.requests.find((sent) => JSON.stringify(sent.body).includes('birthday.mp4'));
    expect(request?.body.input).toEqual([
      { type: 'text', text: 'File name: birthday.mp4' },
      { type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/jpeg;base64,\/9j\//) } },
    ]);
  });

  it('fails a rejected upload at the moderation stage, with the reasons, and produces nothing', async () => {
    const assetId = await upload(h, {
      kind: 'image',
      file: fixtures.png,
      fileName: 'gore.png',
      contentType: 'image/png',
    });

    expect(await outcomeOf(h, assetId)).toEqual({
      outcome: 'failed',
      stage: 'moderation',
      reason: 'Moderation (openai) rejected the upload: Flagged by content moderation: violence',
    });
    const events = await mediaEvents(h, assetId);
    expect(eventsOfType(events, 'MediaModerated').map((event) => event.data)).toEqual([
      {
        assetId,
        checker: 'openai',
        decision: 'rejected',
        reasons: ['Flagged by content moderation: violence'],
      },
    ]);
    expect(eventsOfType(events, 'MediaProcessingFailed').map((event) => event.data.stage)).toEqual([
      'moderation',
    ]);
    expect(eventsOfType(events, 'MediaReady')).toEqual([]);
    expect(await storedRenditions(h, assetId)).toEqual([]);
  });
});
