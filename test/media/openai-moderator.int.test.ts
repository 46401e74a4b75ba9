import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaModerator } from '../../src/media/moderation/create-moderator.ts';
import type { ModerationSubject } from '../../src/media/moderation/moderator.ts';
import { ModerationUnavailable } from '../../src/media/moderation/moderator.ts';
import { openAiModerator } from '../../src/media/moderation/openai-moderator.ts';
import { type ModerationServer, startModerationServer } from './support/moderation-server.ts';

let server: ModerationServer;
let still: Buffer;

beforeAll(async () => {
  server = await startModerationServer();
  server.flag('gore', ['violence', 'violence/graphic']);
  still = await sharp({ create: { width: 64, height: 36, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
});
afterAll(async () => {
  await server?.close();
});

const subject = (fileName: string, withStill = true): ModerationSubject => ({
  kind: 'image',
  fileName,
  contentType: 'image/png',
  probe: {
    formatName: 'png',
    durationSeconds: null,
    width: 64,
    height: 36,
    videoCodec: 'png',
    audioCodec: null,
    bitrate: null,
    frameRate: null,
    audioChannels: null,
  },
  still: async () => (withStill ? still : null),
});

describe('the OpenAI moderator', () => {
  const moderator = () => openAiModerator({ apiKey: 'sk-test', baseUrl: server.baseUrl, maxRetries: 0 });

  it('sends the file name as text and the still as an image to POST /v1/moderations', async () => {
    const verdict = await moderator().moderate(subject('holiday.png'));
    expect(verdict).toEqual({ checker: 'openai', decision: 'allowed', reasons: [] });
    const request = server.requests.at(-1);
    expect(request?.path).toBe('/v1/moderations');
    expect(request?.authorization).toBe('Bearer sk-test');
    expect(request?.body).toEqual({
      model: 'omni-moderation-latest',
      input: [
        { type: 'text', text: 'File name: holiday.png' },
        { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${still.toString('base64')}` } },
      ],
    });
  });

  it('rejects what is flagged, the categories being the reasons', async () => {
    expect(await moderator().moderate(subject('gore.png', false))).toEqual({
      checker: 'openai',
      decision: 'rejected',
      reasons: ['Flagged by content moderation: violence', 'Flagged by content moderation: violence/graphic'],
    });
  });

  it('says whether waiting can help when the endpoint fails', async () => {
    server.fail(401);
    const refused = await moderator()
      .moderate(subject('a.png'))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ModerationUnavailable);
    expect(refused).toMatchObject({ retryable: false });
    server.fail(503);
    const busy = await moderator()
      .moderate(subject('a.png'))
      .catch((error: unknown) => error);
    expect(busy).toMatchObject({ retryable: true });
  });
});

describe('createMediaModerator', () => {
  it('uses the local rules alone without an API key', async () => {
    const before = server.requests.length;
    const verdict = await createMediaModerator({}).moderate(subject('gore.png'));
    expect(verdict.checker).toBe('local-rules');
    expect(server.requests.length).toBe(before);
  });

  it('asks OpenAI after the local rules when a key is set; a local rejection is not sent anywhere', async () => {
    const moderator = createMediaModerator({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseUrl });
    expect((await moderator.moderate(subject('gore.png'))).checker).toBe('openai');
    const before = server.requests.length;
    const huge = subject('ok.png');
    const verdict = await moderator.moderate({
      ...huge,
      probe: huge.probe && { ...huge.probe, formatName: 'bmp' },
    });
    expect(verdict).toMatchObject({ checker: 'local-rules', decision: 'rejected' });
    expect(server.requests.length).toBe(before);
  });
});
