import { describe, expect, it } from 'vitest';
import { createLocalProvider } from '../../src/ai/local-provider.ts';
import type { BrandIdentity, ContentInput, Template } from '../../src/ai/provider.ts';

const ai = createLocalProvider();

const brand = (overrides: Partial<BrandIdentity> = {}): BrandIdentity => ({
  name: 'Trailwise',
  toneOfVoice: 'Friendly, playful and encouraging',
  guardrails: ['No medical claims'],
  language: 'en-GB',
  country: 'GB',
  ...overrides,
});

const template: Template = {
  name: 'Product launch',
  fields: [
    { key: 'headline', label: 'Headline', instructions: 'Max 40 characters' },
    { key: 'intro', label: 'Intro', instructions: '' },
    { key: 'body', label: 'Body copy', instructions: 'Two short paragraphs' },
    { key: 'ctaText', label: 'Button', instructions: '' },
    { key: 'hashtags', label: 'Hashtags', instructions: '' },
  ],
};

const BRIEF =
  'Meet the Trailwise Ridge, our lightest trail running shoe yet. It grips wet rock and dries in minutes. ' +
  'It even heals blisters overnight. Available from 1 March in four colours.';

const content = (overrides: Partial<ContentInput> = {}): ContentInput => ({
  brand: brand(),
  template,
  brief: BRIEF,
  ...overrides,
});

describe('local provider', () => {
  it('labels every result as local templates, with no tokens, no time and one attempt', async () => {
    const result = await ai.generateContent(content());
    expect(result).toMatchObject({
      provider: 'local',
      model: 'templates-v1',
      label: 'local-template',
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      durationMs: 0,
      attempts: 1,
    });
    expect(ai).toMatchObject({ name: 'local', model: 'templates-v1', label: 'local-template' });
  });

  it('is deterministic: the same input gives the same output, for every kind', async () => {
    const twice = async <T>(call: () => Promise<T>) => {
      const [first, second] = [await call(), await call()];
      expect(second).toEqual(first);
    };
    await twice(() => ai.generateContent(content()));
    await twice(() => ai.generateMetadata({ title: 'Trail shoes', text: BRIEF, language: 'en' }));
    await twice(() => ai.generateAltText({ imageDescription: 'A runner on a ridge', language: 'en' }));
    await twice(() =>
      ai.transcreate({
        title: 'Hi',
        fields: { body: BRIEF },
        sourceLanguage: 'en',
        targetLanguage: 'fr',
        brand: brand(),
      }),
    );
    await twice(() =>
      ai.reviewClaims({ text: BRIEF, country: 'GB', guardrails: ['No medical claims'], masterClaims: [] }),
    );
    await twice(() => ai.suggestTitles({ text: BRIEF, count: 5 }));
  });

  describe('content', () => {
    it('fills every template field from the brief, in the brand voice, with the brand name', async () => {
      const { output } = await ai.generateContent(content());
      expect(Object.keys(output.fields)).toEqual(['headline', 'intro', 'body', 'ctaText', 'hashtags']);
      expect(output.title).toBe('Meet the Trailwise Ridge, our lightest trail running shoe yet');
      expect(output.fields.body).toContain('It grips wet rock and dries in minutes.');
      expect(output.fields.body).toContain('Trailwise');
      expect(output.fields.ctaText).toContain('Trailwise');
      expect(output.fields.hashtags).toMatch(/^#\S+( #\S+)*$/);
    });

    it('follows a length limit stated in a field’s instructions', async () => {
      const { output } = await ai.generateContent(content());
      expect(output.fields.headline?.length).toBeLessThanOrEqual(40);
    });

    it('leaves out sentences of the brief that break a brand guardrail', async () => {
      const { output } = await ai.generateContent(content());
      expect(JSON.stringify(output)).not.toContain('heals blisters');
      const unguarded = await ai.generateContent(content({ brand: brand({ guardrails: [] }) }));
      expect(unguarded.output.fields.body).toContain('It even heals blisters overnight.');
    });

    it('writes its own phrases in the brand’s register: the tone of voice changes them', async () => {
      const warm = await ai.generateContent(content({ brand: brand({ toneOfVoice: 'warm and friendly' }) }));
      const formal = await ai.generateContent(
        content({ brand: brand({ toneOfVoice: 'Formal, authoritative' }) }),
      );
      expect(warm.output.fields.ctaText).not.toBe(formal.output.fields.ctaText);
      expect(formal.output.fields.body).toMatch(/^Trailwise is pleased to present/);
    });

    it('writes its own phrases in the brand’s language', async () => {
      const german = await ai.generateContent(
        content({ brand: brand({ language: 'de-DE', toneOfVoice: 'formal' }) }),
      );
      expect(german.output.fields.ctaText).toBe('Mehr über Trailwise erfahren');
      expect(german.output.fields.body).toContain('Weitere Informationen erhalten Sie bei Trailwise.');
    });
  });

  describe('metadata', () => {
    it('keeps within the SEO limits and picks keywords from the title and text, not stopwords', async () => {
      const title =
        'Meet the Trailwise Ridge: our lightest trail running shoe for wet rock and long mountain days';
      const { output } = await ai.generateMetadata({ title, text: `${BRIEF} ${BRIEF}`, language: 'en' });
      expect(output.seoTitle.length).toBeLessThanOrEqual(60);
      expect(title.startsWith(output.seoTitle)).toBe(true);
      expect(output.seoDescription.length).toBeLessThanOrEqual(160);
      expect(output.keywords.length).toBeLessThanOrEqual(10);
      expect(output.keywords.slice(0, 3)).toEqual(['trailwise', 'ridge', 'lightest']);
      expect(output.keywords).not.toContain('the');
      expect(output.keywords).not.toContain('our');
    });
  });

  it('falls back to the title for content with no text yet', async () => {
    const { output } = await ai.generateMetadata({
      title: 'Trail running in the rain',
      text: '',
      language: 'en',
    });
    expect(output).toEqual({
      seoTitle: 'Trail running in the rain',
      seoDescription: 'Trail running in the rain',
      keywords: ['trail', 'running', 'rain'],
    });
  });

  describe('alt text', () => {
    it('uses the description, without "a photo of", within 125 characters', async () => {
      const { output } = await ai.generateAltText({
        imageDescription: `A photo of a runner crossing a wet, rocky ridge at dawn ${'with mist below '.repeat(10)}`,
        language: 'en',
      });
      expect(output.altText.startsWith('A runner crossing a wet, rocky ridge at dawn')).toBe(true);
      expect(output.altText.length).toBeLessThanOrEqual(125);
    });

    it('reads what it can from an image URL’s file name', async () => {
      const { output } = await ai.generateAltText({
        imageUrl: 'https://cdn.example.org/img/red-trail-running_shoes-2024.jpg',
        language: 'en',
      });
      expect(output.altText).toBe('Red trail running shoes');
    });
  });

  describe('claims review', () => {
    const review = (
      text: string,
      guardrails: string[],
      masterClaims: { claimId: string; text: string }[] = [],
    ) => ai.reviewClaims({ text, country: 'DE', guardrails, masterClaims }).then((result) => result.output);

    it('passes copy with no claims and no guardrail words', async () => {
      expect(await review('You will love the scent. Try it this spring.', ['No medical claims'])).toEqual({
        compliant: true,
        issues: [],
      });
    });

    it('flags sentences with words a guardrail’s topic forbids ("no medical claims" → cure, heal, treat…)', async () => {
      const result = await review('Smells of pine. It cures acne and treats eczema.', ['No medical claims']);
      expect(result.compliant).toBe(false);
      expect(result.issues).toEqual([
        {
          kind: 'guardrail',
          excerpt: 'It cures acne and treats eczema.',
          explanation: 'Breaks the guardrail "No medical claims" ("cures").',
        },
      ]);
    });

    it('looks for terms quoted in a guardrail, and for the content words of one it has no topic for', async () => {
      const result = await review('Softer than a "Cloudy" pillow. Sheer luxury for everyone.', [
        'Never name "Cloudy"',
        'Avoid luxury',
      ]);
      expect(result.issues.map((issue) => [issue.kind, issue.excerpt])).toEqual([
        ['guardrail', 'Softer than a "Cloudy" pillow.'],
        ['guardrail', 'Sheer luxury for everyone.'],
      ]);
    });

    it('flags claim-like sentences that no master claim covers', async () => {
      const result = await review(
        'Clinically proven to reduce wrinkles. The best cream in Europe. Lovely jar.',
        [],
      );
      expect(result.issues).toEqual([
        expect.objectContaining({
          kind: 'unapproved_claim',
          excerpt: 'Clinically proven to reduce wrinkles.',
        }),
        expect.objectContaining({ kind: 'unapproved_claim', excerpt: 'The best cream in Europe.' }),
      ]);
      expect(result.issues[0]?.explanation).toContain('"clinically proven"');
      expect(result.issues[0]?.explanation).toContain('approved for DE');
    });

    it('accepts a claim a master claim covers, but not one with other figures or stronger wording', async () => {
      const masterClaims = [{ claimId: 'C-1', text: 'Reduces the look of wrinkles by 30% in 4 weeks' }];
      const covered = await review('Reduces the look of wrinkles by 30% in just 4 weeks.', [], masterClaims);
      expect(covered.compliant).toBe(true);
      const otherFigure = await review('Reduces the look of wrinkles by 50% in 4 weeks.', [], masterClaims);
      expect(otherFigure.issues.map((issue) => issue.kind)).toEqual(['unapproved_claim']);
      const stronger = await review(
        'Clinically proven to reduce wrinkles by 30% in 4 weeks.',
        [],
        masterClaims,
      );
      expect(stronger.issues.map((issue) => issue.kind)).toEqual(['unapproved_claim']);
    });
  });

  describe('titles and transcreation', () => {
    it('suggests as many distinct titles as asked for, from the text', async () => {
      const { output } = await ai.suggestTitles({ text: BRIEF, count: 7 });
      expect(output.titles).toHaveLength(7);
      expect(new Set(output.titles).size).toBe(7);
      expect(output.titles[0]).toBe('Meet the Trailwise Ridge, our lightest trail running shoe yet');
      expect(output.titles.some((title) => title.includes('Trailwise'))).toBe(true);
    });

    it('does not translate: text for another language comes back marked for an editor; the same language unchanged', async () => {
      const input = { title: 'Light on the trail', fields: { body: BRIEF }, brand: brand() };
      const other = await ai.transcreate({ ...input, sourceLanguage: 'en-GB', targetLanguage: 'de-DE' });
      expect(other.output).toEqual({ title: '[de-DE] Light on the trail', fields: { body: BRIEF } });
      const same = await ai.transcreate({ ...input, sourceLanguage: 'en-GB', targetLanguage: 'en-US' });
      expect(same.output).toEqual({ title: 'Light on the trail', fields: { body: BRIEF } });
    });
  });
});
