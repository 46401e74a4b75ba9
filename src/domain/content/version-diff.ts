import type { ContentFields, ContentMetadata } from './content-values.ts';

/** What a diff compares: the parts of a version an author writes. */
export interface ComparableVersion {
  title: string;
  fields: ContentFields;
  metadata: ContentMetadata;
}

export interface FieldChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
  /** Null when the field was added. */
  before: string | null;
  /** Null when the field was removed. */
  after: string | null;
}

export type MetadataChange =
  | { key: 'seoTitle' | 'seoDescription'; before: string | null; after: string | null }
  | { key: 'keywords'; before: string[]; after: string[]; added: string[]; removed: string[] };

export interface VersionDiff {
  /** Null when the title is the same. */
  title: { before: string; after: string } | null;
  /** Fields added, removed or changed, by key in code-point order. */
  fields: FieldChange[];
  metadata: MetadataChange[];
  identical: boolean;
}

/** Field-level differences from version `a` to version `b`. */
export function diffVersions(a: ComparableVersion, b: ComparableVersion): VersionDiff {
  const title = a.title === b.title ? null : { before: a.title, after: b.title };
  const fields = diffFields(a.fields, b.fields);
  const metadata = diffMetadata(a.metadata, b.metadata);
  return {
    title,
    fields,
    metadata,
    identical: title === null && fields.length === 0 && metadata.length === 0,
  };
}

function diffFields(a: ContentFields, b: ContentFields): FieldChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const changes: FieldChange[] = [];
  for (const key of keys) {
    const before = Object.hasOwn(a, key) ? (a[key] ?? null) : null;
    const after = Object.hasOwn(b, key) ? (b[key] ?? null) : null;
    if (before === after) continue;
    const change = before === null ? 'added' : after === null ? 'removed' : 'changed';
    changes.push({ key, change, before, after });
  }
  return changes;
}

function diffMetadata(a: ContentMetadata, b: ContentMetadata): MetadataChange[] {
  const changes: MetadataChange[] = [];
  for (const key of ['seoTitle', 'seoDescription'] as const) {
    if (a[key] !== b[key]) changes.push({ key, before: a[key], after: b[key] });
  }
  const sameKeywords =
    a.keywords.length === b.keywords.length &&
    a.keywords.every((keyword, index) => keyword === b.keywords[index]);
  if (!sameKeywords) {
    changes.push({
      key: 'keywords',
      before: [...a.keywords],
      after: [...b.keywords],
      added: b.keywords.filter((keyword) => !a.keywords.includes(keyword)),
      removed: a.keywords.filter((keyword) => !b.keywords.includes(keyword)),
    });
  }
  return changes;
}
