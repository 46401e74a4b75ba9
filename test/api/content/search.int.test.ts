import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    hits { rank headline content { title brandId } } suggestions tookMs } }`;

interface Results {
  hits: { rank: number; headline: string; content: { title: string; brandId: string } }[];
  suggestions: string[];
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
