import { fieldListOf } from '../../domain/content/content-values.ts';
import type { VersionDiff } from '../../domain/content/version-diff.ts';
import { toPublicationChannels } from './publication-channels.ts';
import type {
  ContentRow,
  PublicationRow,
  ReviewRow,
  SearchRow,
  StoredFields,
  VersionRow,
} from './read-model-queries.ts';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Fields travel as a list of key/value pairs in the author's order (GraphQL has no map type either). */
export const toFields = (fields: StoredFields) =>
  fieldListOf(fields).map(({ key, value }) => ({ key, value }));

export function toContent(row: ContentRow) {
  return {
    id: row.content_id,
    brandId: row.brand_id,
    type: row.type,
    templateId: row.template_id,
    title: row.title,
    fields: toFields(row.fields),
    metadata: row.metadata,
    status: row.status,
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    publishedAt: iso(row.published_at),
    rejectionReason: row.rejection_reason,
    publishFailure: row.publish_failure,
  };
}

export type ContentView = ReturnType<typeof toContent>;

export const contentCursor = (row: ContentRow) => [row.sort_key, row.content_id];

export const toSearchHit = (row: SearchRow) => ({
  content: toContent(row),
  rank: row.rank,
  headline: row.headline,
});

export const toVersion = (row: VersionRow) => ({
  version: row.version,
  title: row.title,
  fields: toFields(row.fields),
  metadata: row.metadata,
  author: row.author_id.startsWith('system:') ? row.author_id : `user:${row.author_id}`,
  restoredFrom: row.restored_from,
  createdAt: row.created_at.toISOString(),
});

export const versionCursor = (row: VersionRow) => [String(row.version)];

export function toWorkflow(
  contentId: string,
  status: string,
  review: ReviewRow | null,
  publication: PublicationRow | null,
) {
  return {
    contentId,
    status,
    review: review && {
      version: review.version,
      state: review.state,
      steps: review.steps,
      currentStep: review.current_step,
      submittedAt: review.submitted_at.toISOString(),
    },
    publication: publication && {
      id: publication.publication_id,
      version: publication.version,
      state: publication.state,
      publishAt: iso(publication.publish_at),
      requestedAt: publication.requested_at.toISOString(),
      steps: publication.steps,
      channels: toPublicationChannels(publication.channels),
      failureStage: publication.failure_stage,
      failureReasons: publication.failure_reasons,
      finishedAt: iso(publication.finished_at),
    },
  };
}

const changeKind = (before: unknown, after: unknown) =>
  before === null ? 'added' : after === null ? 'removed' : 'changed';

/** The domain's diff as one flat list of paths (`title`, `fields.<key>`, `metadata.<name>`). */
export function toDiffChanges(diff: VersionDiff) {
  const title = diff.title ? [{ path: 'title', change: 'changed', ...diff.title }] : [];
  const fields = diff.fields.map((f) => ({
    path: `fields.${f.key}`,
    change: f.change,
    before: f.before,
    after: f.after,
  }));
  const metadata = diff.metadata.map((m) => {
    if (m.key === 'keywords') {
      return {
        path: 'metadata.keywords',
        change: 'changed',
        before: m.before.join(', '),
        after: m.after.join(', '),
      };
    }
    return {
      path: `metadata.${m.key}`,
      change: changeKind(m.before, m.after),
      before: m.before,
      after: m.after,
    };
  });
  const order = diff.fieldOrder
    ? [
        {
          path: 'fields',
          change: 'changed',
          before: diff.fieldOrder.before.join(', '),
          after: diff.fieldOrder.after.join(', '),
        },
      ]
    : [];
  return [...title, ...fields, ...order, ...metadata];
}
