import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RANKED_CANDIDATES } from '../../../src/api/content/read-model-queries.ts';
import { contentEventCatalogue } from '../../../src/domain/content/content-events.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { type BrandTeam, brandTeam, createArticle } from './support.ts';

let api: IdentityApp;
let team: BrandTeam;
let otherBrand: BrandTeam;
beforeAll(async () => {
  api = await startIdentityApp();
  [team, otherBrand] = [await brandTeam(api), await brandTeam(api)];
  await createArticle(api, team, 'Barista oat drink', 'Foams in every coffee.');
  await createArticle(api, team, 'Summer recipes', 'Cold brew with a splash of oat drink and ice.');
  await createArticle(api, team, 'Company news', 'We opened a new office in Malmö.');
  await createArticle(api, otherBrand, 'Barista oat drink for professionals', 'Another brand entirely.');
});
afterAll(async () => {
  await api?.close();
});

const SEARCH = `query ($query: String!, $options: SearchOptions) {
  searchContent(query: $query, options: $options) {
    hits { rank headline content { title brandId } } suggestions partialRanking tookMs } }`;

interface Results {
  hits: { rank: number; headline: string; content: { title: string; brandId: string } }[];
  suggestions: string[];
  partialRanking: boolean;
  tookMs: number;
}

describe('searchContent', () => {
  it('ranks a title match above a body match, stems words, and stays within the caller’s brands', async () => {
    const results = fieldOf<Results>(
      await api.gql(SEARCH, { query: 'oat drinks' }, team.editor.accessToken),
      'searchContent',
    );
    expect(results.hits.map((hit) => hit.content.title)).toEqual(['Barista oat drink', 'Summer recipes']);
    expect(results.hits.every((hit) => hit.content.brandId === team.brandId)).toBe(true);
    expect(results.hits[0]?.rank).toBeGreaterThan(results.hits[1]?.rank ?? 0);
    expect(results.hits[1]?.headline).toContain('«oat»');
  });

  it('supports web-search syntax: a quoted phrase and an excluded word', async () => {
    const phrase = fieldOf<Results>(
      await api.gql(SEARCH, { query: '"cold brew" -office' }, team.editor.accessToken),
      'searchContent',
    );
    expect(phrase.hits.map((hit) => hit.content.title)).toEqual(['Summer recipes']);
  });

  it('suggests similar titles for a misspelt query', async () => {
    const results = fieldOf<Results>(
      await api.gql(SEARCH, { query: 'Barrista oat drnk' }, team.editor.accessToken),
      'searchContent',
    );
    expect(results.suggestions).toContain('Barista oat drink');
    expect(results.suggestions).not.toContain('Barista oat drink for professionals');
  });

  it('refuses an empty or oversized query with VALIDATION', async () => {
    expect(errorCodes(await api.gql(SEARCH, { query: '  ' }, team.editor.accessToken))[0]).toMatch(
      /^VALIDATION\//,
    );
    expect(errorCodes(await api.gql(SEARCH, { query: 'x'.repeat(201) }, team.editor.accessToken))[0]).toMatch(
      /^VALIDATION\//,
    );
  });

  it('finds nothing for someone who belongs to no brand', async () => {
    const results = fieldOf<Results>(
      await api.gql(SEARCH, { query: 'oat' }, team.outsider.accessToken),
      'searchContent',
    );
    expect(results.hits).toEqual([]);
    expect(results.suggestions).toEqual([]);
  });
});

describe('searchContent over more matches than it ranks', () => {
  it('ranks a bounded set of candidates and says the ranking is partial', async () => {
    // Written straight to the store (as the bench does): the write side is not what is tested here.
    const { store, codec, pool, bus } = api.runtime;
    const count = RANKED_CANDIDATES + 1;
    let position = 0n;
    for (let offset = 0; offset < count; offset += 500) {
      const appended = await Promise.all(
        Array.from({ length: Math.min(500, count - offset) }, async (_, i) => {
          const contentId = randomUUID();
          const metadata = {
            commandId: contentId,
            correlationId: contentId,
            causationId: contentId,
            actor: 'system:test',
            occurredAt: new Date().toISOString(),
          };
          const event = await codec.encode(
            contentEventCatalogue.ContentCreated,
            {
              type: 'ContentCreated',
              data: {
                contentId,
                brandId: team.brandId,
                type: 'article',
                templateId: null,
                title: `Granola bar ${offset + i}`,
                fields: [{ key: 'body', value: 'Crunchy granola with honey.' }],
                metadata: { seoTitle: null, seoDescription: null, keywords: [] },
                authorId: team.editor.id,
                version: 1,
              },
            },
            metadata,
            randomUUID(),
          );
          return store.append(`content-${contentId}`, [event]);
        }),
      );
      for (const result of appended) if (result.position > position) position = result.position;
    }
    expect(await waitForPosition(pool, bus, position, { timeoutMs: 60_000, projections: ['contents'] })).toBe(
      true,
    );

    const broad = fieldOf<Results>(
      await api.gql(SEARCH, { query: 'granola' }, team.editor.accessToken),
      'searchContent',
    );
    expect(broad.hits).toHaveLength(20);
    expect(broad.partialRanking).toBe(true);
    const narrow = fieldOf<Results>(
      await api.gql(SEARCH, { query: 'oat drink' }, team.editor.accessToken),
      'searchContent',
    );
    expect(narrow.partialRanking).toBe(false);
  }, 120_000);
});
