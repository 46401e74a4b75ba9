import { describe, expect, it } from 'vitest';
import { contentDecider } from '../../../src/domain/content/content-decider.ts';
import { versionOf } from '../../../src/domain/content/content-state.ts';
import { diffVersions } from '../../../src/domain/content/version-diff.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { draft, fieldsOf, metadata, updated, v1, v2 } from './content-fixtures.ts';

describe('diffVersions', () => {
  it('finds nothing between a version and itself', () => {
    expect(diffVersions(v1, structuredClone(v1))).toEqual({
      title: null,
      fields: [],
      fieldOrder: null,
      metadata: [],
      identical: true,
    });
  });

  it('reports a changed title with before and after', () => {
    expect(diffVersions(v1, { ...v1, title: 'Crunch o’clock' })).toMatchObject({
      title: { before: 'Crunch time', after: 'Crunch o’clock' },
      identical: false,
    });
  });

  it('reports each field added, removed or changed, by key', () => {
    const before = { ...v1, fields: fieldsOf({ body: 'Oats.', cta: 'Try them', legal: 'Terms apply' }) };
    const after = {
      ...v1,
      fields: fieldsOf({ body: 'Oats, baked twice.', legal: 'Terms apply', alt: 'A bowl of oats' }),
    };
    expect(diffVersions(before, after).fields).toEqual([
      { key: 'alt', change: 'added', before: null, after: 'A bowl of oats' },
      { key: 'body', change: 'changed', before: 'Oats.', after: 'Oats, baked twice.' },
      { key: 'cta', change: 'removed', before: 'Try them', after: null },
    ]);
  });

  it('tells an empty field from a missing one', () => {
    expect(diffVersions({ ...v1, fields: [] }, { ...v1, fields: fieldsOf({ note: '' }) }).fields).toEqual([
      { key: 'note', change: 'added', before: null, after: '' },
    ]);
    expect(diffVersions({ ...v1, fields: fieldsOf({ note: '' }) }, { ...v1, fields: [] }).fields).toEqual([
      { key: 'note', change: 'removed', before: '', after: null },
    ]);
  });

  it('reports fields that only changed order, with the names before and after', () => {
    const reordered = { ...v1, fields: fieldsOf({ cta: 'Try them', body: 'Oats, baked twice.' }) };
    expect(diffVersions(v1, reordered)).toMatchObject({
      fields: [],
      fieldOrder: { before: ['body', 'cta'], after: ['cta', 'body'] },
      identical: false,
    });
  });

  it('reports metadata changes, with the keywords added and removed', () => {
    const after = {
      ...v1,
      metadata: metadata({ seoTitle: null, keywords: ['oats', 'honey', 'crunch'] }),
    };
    expect(diffVersions(v1, after).metadata).toEqual([
      { key: 'seoTitle', before: 'Oats that crunch', after: null },
      {
        key: 'keywords',
        before: ['oats', 'breakfast'],
        after: ['oats', 'honey', 'crunch'],
        added: ['honey', 'crunch'],
        removed: ['breakfast'],
      },
    ]);
  });

  it('counts reordered keywords as a change with nothing added or removed', () => {
    const reordered = { ...v1, metadata: metadata({ keywords: ['breakfast', 'oats'] }) };
    expect(diffVersions(v1, reordered)).toMatchObject({
      metadata: [{ key: 'keywords', added: [], removed: [] }],
      identical: false,
    });
  });

  it('reports seoDescription changes', () => {
    expect(diffVersions(v1, { ...v1, metadata: metadata({ seoDescription: 'New' }) }).metadata).toEqual([
      { key: 'seoDescription', before: 'Why our oats stay crunchy in milk', after: 'New' },
    ]);
  });

  it('compares two versions kept in the state', () => {
    const content = fold(contentDecider, [...draft(), updated(2)]);
    if (content.status === 'none') throw new Error('expected content');
    const [first, second] = [versionOf(content, 1), versionOf(content, 2)];
    if (!first || !second) throw new Error('expected both versions');
    expect(diffVersions(first, second)).toEqual({
      title: { before: v1.title, after: v2.title },
      fields: [
        { key: 'body', change: 'changed', before: 'Oats, baked twice.', after: v2.fields[0]?.value },
        { key: 'cta', change: 'removed', before: 'Try them', after: null },
      ],
      fieldOrder: null,
      metadata: [],
      identical: false,
    });
  });
});
