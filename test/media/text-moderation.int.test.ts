import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextModerator } from '../../src/media/moderation/create-text-moderator.ts';
import { localTextModerator } from '../../src/media/moderation/local-text-rules.ts';
import { ModerationUnavailable } from '../../src/media/moderation/moderator.ts';
import { openAiTextModerator } from '../../src/media/moderation/openai-text-moderator.ts';
import { type ModerationServer, startModerationServer } from './support/moderation-server.ts';

let server: ModerationServer;
beforeAll(async () => {
  server = await startModerationServer();
  server.flag('you worthless', ['harassment']);
});
afterAll(async () => {
  await server?.close();
});

describe('local text rules', () => {
  const local = localTextModerator();

  it('let ordinary words through', async () => {
    expect(await local.moderateText('Clean landing, what board is that?')).toEqual({
      checker: 'local-rules',
      flagged: false,
      categories: [],
    });
  });

  it('flag unambiguous abuse and link floods, naming the categories', async () => {
    expect(await local.moderateText('just KYS already')).toMatchObject({
      flagged: true,
      categories: ['harassment'],
    });
    const links = 'http://a.example http://b.example www.c.example https://d.example';
    expect(await local.moderateText(`free followers here ${links}`)).toMatchObject({
      flagged: true,
      categories: ['spam'],
    });
  });
});

describe('OpenAI’s moderation endpoint on text', () => {
  it('sends the text and reports the flagged categories', async () => {
    const moderator = openAiTextModerator({ apiKey: 'sk-test', baseUrl: server.baseUrl });
    expect(await moderator.moderateText('you worthless fool')).toEqual({
      checker: 'openai',
      flagged: true,
      categories: ['harassment'],
    });
    expect(server.requests.at(-1)?.body.input).toBe('you worthless fool');
    expect(await moderator.moderateText('nice trick')).toMatchObject({ flagged: false });
  });

  it('says it is unavailable when the endpoint fails', async () => {
    const moderator = openAiTextModerator({ apiKey: 'sk-test', baseUrl: server.baseUrl, maxRetries: 0 });
    server.fail(503);
    await expect(moderator.moderateText('hello')).rejects.toBeInstanceOf(ModerationUnavailable);
  });
});

describe('the configured text moderator', () => {
  it('uses local rules alone without an API key', async () => {
    const moderator = createTextModerator({});
    expect(moderator.checker).toBe('local-rules');
    const before = server.requests.length;
    expect(await moderator.moderateText('you worthless fool')).toMatchObject({ flagged: false });
    expect(server.requests.length).toBe(before);
  });

  it('asks OpenAI after the local rules, and falls back to them when OpenAI is down', async () => {
    const fallbacks: ModerationUnavailable[] = [];
    const moderator = createTextModerator(
      { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseUrl },
      { onFallback: (error) => fallbacks.push(error) },
    );
    expect(await moderator.moderateText('you worthless fool')).toMatchObject({
      checker: 'openai',
      categories: ['harassment'],
    });
    const before = server.requests.length;
    expect(await moderator.moderateText('kys')).toMatchObject({ checker: 'local-rules', flagged: true });
    expect(server.requests.length).toBe(before);
    server.fail(500, 2);
    expect(await moderator.moderateText('hello there')).toEqual({
      checker: 'local-rules',
      flagged: false,
      categories: [],
    });
    expect(fallbacks).toHaveLength(1);
  });
});
