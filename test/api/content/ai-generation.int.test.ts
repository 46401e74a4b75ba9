import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiProvider } from '../../../src/ai/create-ai-provider.ts';
import { type OpenAiTestServer, startOpenAiTestServer } from '../../support/openai-test-server.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { type BrandTeam, brandTeam, createArticle } from './support.ts';

const GENERATE = `mutation ($input: GenerateContentInput!) {
  generateContent(input: $input) { requestId title fields { key value } provider model label usage { totalTokens } } }`;
const METADATA = `mutation ($id: ID!) {
  generateMetadata(contentId: $id) { metadata { seoTitle seoDescription keywords } label provider } }`;

const ALT_TEXT = `mutation ($input: GenerateAltTextInput!) { generateAltText(input: $input) { altText label } }`;
const TITLES = `mutation ($id: ID!, $count: Int) { suggestTitles(contentId: $id, count: $count) { titles label } }`;
const TRANSCREATE = `mutation ($id: ID!, $to: String!) {
  transcreateContent(contentId: $id, targetLanguage: $to) { title fields { key value } label } }`;

const template = {
  templateName: 'Product launch',
  fields: [
    { key: 'intro', label: 'Intro', instructions: 'One warm sentence' },
    { key: 'body', label: 'Body', instructions: 'Two short paragraphs' },
  ],
  brief: 'Launch our new barista oat drink for coffee shops',
};

describe('AI generation with the local provider (no OPENAI_API_KEY)', () => {
  let api: IdentityApp;
  let team: BrandTeam;
  beforeAll(async () => {
    api = await startIdentityApp();
    team = await brandTeam(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('writes brand-aware content from the template and says it came from templates, not a model', async () => {
    const response = await api.gql(
      GENERATE,
      { input: { brandId: team.brandId, ...template } },
      team.editor.accessToken,
    );
    const generated = fieldOf<{
      requestId: string;
      title: string;
      fields: { key: string; value: string }[];
      label: string;
      provider: string;
    }>(response, 'generateContent');
    expect(generated.label).toBe('local_template');
    expect(generated.provider).toBe('local');
    expect(generated.fields.map((f) => f.key)).toEqual(['intro', 'body']);
    expect(generated.fields.every((f) => f.value.length > 0)).toBe(true);
    const { rows } = await api.runtime.pool.query(
      'select status, kind, label from ai_generations where request_id = $1',
      [generated.requestId],
    );
    expect(rows).toEqual([{ status: 'completed', kind: 'content', label: 'local-template' }]);
  });

  it('generates SEO metadata for a content’s current version', async () => {
    const article = await createArticle(
      api,
      team,
      'Barista oat drink',
      'Foams in every coffee, from flat white to latte.',
    );
    const result = fieldOf<{ metadata: { seoTitle: string; keywords: string[] }; label: string }>(
      await api.gql(METADATA, { id: article.id }, team.editor.accessToken),
      'generateMetadata',
    );
    expect(result.metadata.seoTitle.length).toBeGreaterThan(0);
    expect(result.metadata.seoTitle.length).toBeLessThanOrEqual(60);
    expect(result.metadata.keywords.length).toBeGreaterThan(0);
  });

  it('writes alt text, suggests titles and transcreates, recording each request', async () => {
    const alt = fieldOf<{ altText: string; label: string }>(
      await api.gql(
        ALT_TEXT,
        {
          input: { brandId: team.brandId, imageDescription: 'a barista pouring oat milk into a flat white' },
        },
        team.editor.accessToken,
      ),
      'generateAltText',
    );
    expect(alt.altText.toLowerCase()).toContain('barista');
    expect(alt.label).toBe('local_template');

    const article = await createArticle(
      api,
      team,
      'Oat drink for baristas',
      'It foams like milk and tastes of oats.',
    );
    const titles = fieldOf<{ titles: string[] }>(
      await api.gql(TITLES, { id: article.id, count: 2 }, team.editor.accessToken),
      'suggestTitles',
    );
    expect(titles.titles).toHaveLength(2);
    expect(titles.titles.every((t) => t.length > 0)).toBe(true);

    const transcreated = fieldOf<{ title: string; fields: { key: string; value: string }[]; label: string }>(
      await api.gql(TRANSCREATE, { id: article.id, to: 'de-DE' }, team.editor.accessToken),
      'transcreateContent',
    );
    // The local provider does not translate: it keeps the fields and marks them for a translator.
    expect(transcreated.fields.map((f) => f.key)).toEqual(['body']);
    expect(transcreated.label).toBe('local_template');

    const { rows } = await api.runtime.pool.query<{ kind: string }>(
      `select kind from ai_generations where status = 'completed' and kind in ('alt_text', 'titles', 'transcreation')
        order by kind`,
    );
    expect(rows.map((r) => r.kind)).toEqual(['alt_text', 'titles', 'transcreation']);
    expect(errorCodes(await api.gql(TITLES, { id: article.id }, team.viewer.accessToken))).toEqual([
      'FORBIDDEN/NOT_AN_EDITOR',
    ]);
    expect(errorCodes(await api.gql(TITLES, { id: article.id, count: 11 }, team.editor.accessToken))).toEqual(
      ['VALIDATION/INVALID_INPUT'],
    );
  });

  it('is for the brand’s editors and up', async () => {
    const viewer = await api.gql(
      GENERATE,
      { input: { brandId: team.brandId, ...template } },
      team.viewer.accessToken,
    );
    expect(errorCodes(viewer)).toEqual(['FORBIDDEN/NOT_AN_EDITOR']);
    const outsider = await api.gql(
      GENERATE,
      { input: { brandId: team.brandId, ...template } },
      team.outsider.accessToken,
    );
    expect(errorCodes(outsider)).toEqual(['FORBIDDEN/NOT_AN_EDITOR']);
  });
});

describe('AI generation through an OpenAI-compatible endpoint', () => {
  let api: IdentityApp;
  let team: BrandTeam;
  let openai: OpenAiTestServer;
  beforeAll(async () => {
    openai = await startOpenAiTestServer();
    api = await startIdentityApp({
      ai: createAiProvider(
        { openaiApiKey: 'test-key', openaiBaseUrl: openai.baseUrl },
        { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      ),
    });
    team = await brandTeam(api);
  });
  afterAll(async () => {
    await api?.close();
    await openai?.close();
  });

  it('returns the model’s structured output with its token usage, and records both', async () => {
    openai.script({
      kind: 'json',
      content: { title: 'Foam, perfected', fields: { intro: 'Hello baristas.', body: 'It foams.' } },
    });
    const generated = fieldOf<{
      requestId: string;
      title: string;
      label: string;
      usage: { totalTokens: number };
    }>(
      await api.gql(GENERATE, { input: { brandId: team.brandId, ...template } }, team.editor.accessToken),
      'generateContent',
    );
    expect(generated).toMatchObject({ title: 'Foam, perfected', label: 'model', usage: { totalTokens: 18 } });
    const prompt = JSON.stringify(openai.requests.at(-1)?.body);
    expect(prompt).toContain('Warm, playful and plain-spoken');
    const { rows } = await api.runtime.pool.query(
      'select status, total_tokens from ai_generations where request_id = $1',
      [generated.requestId],
    );
    expect(rows).toEqual([{ status: 'completed', total_tokens: 18 }]);
  });

  it('answers RATE_LIMITED (retry later) when the model keeps answering 429, and records the failure', async () => {
    openai.script({ kind: 'rate_limited' }, { kind: 'rate_limited' });
    const response = await api.gql(
      GENERATE,
      { input: { brandId: team.brandId, ...template } },
      team.editor.accessToken,
    );
    expect(errorCodes(response)).toEqual(['RATE_LIMITED/AI_RATE_LIMITED']);
    const { rows } = await api.runtime.pool.query(
      `select status, error_code from ai_generations where status = 'failed'`,
    );
    expect(rows).toEqual([{ status: 'failed', error_code: 'AI_RATE_LIMITED' }]);
  });
});
