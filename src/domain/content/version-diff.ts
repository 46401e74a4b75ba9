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
  /** The field names in order before and after, when the order is all that differs between the two. */
  fieldOrder: { before: string[]; after: string[] } | null;
  metadata: MetadataChange[];
  identical: boolean;
}

/** Field-level differences from version `a` to version `b`. */
export function diffVersions(a: ComparableVersion, b: ComparableVersion): VersionDiff {
  const title = a.title === b.title ? null : { before: a.title, after: b.title };
  const fields = diffFields(a.fields, b.fields);
  const fieldOrder = fields.length === 0 ? diffOrder(a.fields, b.fields) : null;
  const metadata = diffMetadata(a.metadata, b.metadata);
  return {
    title,
    fields,
    fieldOrder,
    metadata,
    identical: title === null && fields.length === 0 && fieldOrder === null && metadata.length === 0,
  };
}

function diffFields(a: ContentFields, b: ContentFields): FieldChange[] {
  const aTexts = new Map(a.map((field) => [field.key, field.value]));
  const bTexts = new Map(b.map((field) => [field.key, field.value]));
  const keys = [...new Set([...aTexts.keys(), ...bTexts.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const key of keys) {
    const before = aTexts.get(key) ?? null;
    const after = bTexts.get(key) ?? null;
    if (before === after) continue;
    const change = before === null ? 'added' : after === null ? 'removed' : 'changed';
    changes.push({ key, change, before, after });
  }
  return changes;
}

/** Same fields with the same texts, in another order: a version may only reorder. */
function diffOrder(a: ContentFields, b: ContentFields): { before: string[]; after: string[] } | null {
  const before = a.map((field) => field.key);
  const after = b.map((field) => field.key);
  return before.every((key, index) => key === after[index]) ? null : { before, after };
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
