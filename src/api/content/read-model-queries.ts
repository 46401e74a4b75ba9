import type pg from 'pg';
import { z } from 'zod';
import { type ContentFields, fieldListOf } from '../../domain/content/content-values.ts';
import type { BrandViewer } from '../brands/read-model-queries.ts';
import { pageOf } from '../pagination.ts';
import { countWhere, parameters, sortKey, whereClause } from '../shared/sql.ts';

/** Contents are visible to the members of their brand, and to platform admins. */
export const visibleTo = (viewerParam: string, adminParam: string) =>
  `(${adminParam} or exists (select 1 from brand_members m where m.brand_id = c.brand_id and m.user_id = ${viewerParam}::uuid))`;

export interface Metadata {
  seoTitle: string | null;
  seoDescription: string | null;
  keywords: string[];
}

/**
 * Fields as the contents projection stores them: a list in the author's order; a key → text record
 * in tables built before its version 4 (read until the rebuild swaps in). `fieldListOf` reads both.
 */
export type StoredFields = ContentFields | Record<string, string>;

export interface ContentRow {
  content_id: string;
  brand_id: string;
  type: string;
  template_id: string | null;
  title: string;
  fields: StoredFields;
  metadata: Metadata;
  status: string;
  version: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  rejection_reason: string | null;
  publish_failure: { stage: string; reasons: string[]; at: string } | null;
  sort_key: string;
}

const CONTENT_COLUMNS = `c.content_id, c.brand_id, c.type, c.template_id, c.title, c.fields, c.metadata, c.status,
  c.version, c.created_by, c.created_at, c.updated_at, c.published_at, c.rejection_reason, c.publish_failure,
  ${sortKey('c.updated_at')}`;

export async function findContents(pool: pg.Pool, viewer: BrandViewer, contentIds: readonly string[]) {
  const { rows } = await pool.query<ContentRow>(
    `select ${CONTENT_COLUMNS} from contents c where c.content_id = any($1::uuid[]) and ${visibleTo('$2', '$3')}`,
    [contentIds, viewer.userId, viewer.admin],
  );
  return new Map(rows.map((row) => [row.content_id, row]));
}

export async function findContent(pool: pg.Pool, viewer: BrandViewer, contentId: string) {
  return (await findContents(pool, viewer, [contentId])).get(contentId);
}

export const CONTENT_STATUSES = [
  'draft',
  'in_review',
  'approved',
  'scheduled',
  'publishing',
  'published',
  'archived',
] as const;

const contentFilter = z
  .object({
    brandId: z.uuid().nullish(),
    status: z.enum(CONTENT_STATUSES).nullish(),
    type: z.string().max(64).nullish(),
  })
  .nullish();

/** Most recently changed first. */
export async function listContents(
  pool: pg.Pool,
  viewer: BrandViewer,
  args: { filter?: unknown; page?: unknown },
) {
  const filter = contentFilter.parse(args.filter) ?? {};
  const page = pageOf(args.page, 2);
  const params = parameters();
  const where = [visibleTo(params.add(viewer.userId), params.add(viewer.admin))];
  if (filter.brandId) where.push(`c.brand_id = ${params.add(filter.brandId)}`);
  if (filter.status) where.push(`c.status = ${params.add(filter.status)}`);
  if (filter.type) where.push(`c.type = ${params.add(filter.type)}`);
  const total = await countWhere(pool, 'contents c', where, params.values);
  if (page.after) {
    where.push(
      `(c.updated_at, c.content_id) < (${params.add(page.after[0])}::timestamptz, ${params.add(page.after[1])}::uuid)`,
    );
  }
  const { rows } = await pool.query<ContentRow>(
    `select ${CONTENT_COLUMNS} from contents c ${whereClause(where)}
      order by c.updated_at desc, c.content_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

export const searchInput = z.object({
  query: z.string().trim().min(1, 'must not be empty').max(200),
  options: z
    .object({
      brandId: z.uuid().nullish(),
      status: z.enum(CONTENT_STATUSES).nullish(),
      first: z.number().int().min(1).max(50).nullish(),
    })
    .nullish(),
});

export interface SearchRow extends ContentRow {
  rank: number;
  headline: string;
}

/**
 * How many matches are ranked at most. Ranking reads every candidate's search document, so a word
 * found in half of 100k contents would cost hundreds of milliseconds; past this many matches the
 * ranking is over the first RANKED_CANDIDATES the index yields, and the answer says it is partial.
 */
export const RANKED_CANDIDATES = 2_000;

/** "Did you mean" is for queries that found little: titles are compared only then. */
const SUGGEST_BELOW_HITS = 3;

/**
 * Ranked full-text search (title weighted above fields, English stemming, web-search syntax:
 * quotes, `or`, `-word`) over the viewer's brands, plus, when it found little, up to five titles
 * similar to the query (trigram) for "did you mean".
 */
export async function searchContents(pool: pg.Pool, viewer: BrandViewer, raw: unknown) {
  const { query, options } = searchInput.parse(raw);
  const params = parameters();
  const q = params.add(query);
  const where = [`c.search_document @@ websearch_to_tsquery('english', ${q})`];
  where.push(visibleTo(params.add(viewer.userId), params.add(viewer.admin)));
  if (options?.brandId) where.push(`c.brand_id = ${params.add(options.brandId)}`);
  if (options?.status) where.push(`c.status = ${params.add(options.status)}`);
  else where.push(`c.status <> 'archived'`);
  // Candidates first (bounded), then ranking over them, then headlines for the page only.
  const found = await pool.query<SearchRow & { candidates: string }>(
    `with candidates as (
       select c.* from contents c ${whereClause(where)} limit ${RANKED_CANDIDATES}
     ), ranked as (
       select c.*, ts_rank_cd(c.search_document, websearch_to_tsquery('english', ${q})) as rank,
              count(*) over () as candidates
         from candidates c
        order by rank desc, c.updated_at desc limit ${params.add(options?.first ?? 20)}
     )
     select ${CONTENT_COLUMNS}, c.rank, c.candidates,
            ts_headline('english', c.title || ' — ' || left(c.fields_text, 2000), websearch_to_tsquery('english', ${q}),
                        'StartSel=«, StopSel=», MaxWords=30, MinWords=10') as headline
       from ranked c order by c.rank desc, c.updated_at desc`,
    params.values,
  );
  const candidates = Number(found.rows[0]?.candidates ?? 0);
  const suggestions = found.rows.length < SUGGEST_BELOW_HITS ? await similarTitles(pool, viewer, query) : [];
  return { hits: found.rows, suggestions, partialRanking: candidates >= RANKED_CANDIDATES };
}

/** Titles at least this similar (pg_trgm's own default threshold) are suggested. */
const MIN_SIMILARITY = 0.3;

/**
 * Nearest titles first (trigram distance through the GiST index), so the cost is a few index
 * pages whatever the table's size; duplicates and weak matches are dropped here.
 */
async function similarTitles(pool: pg.Pool, viewer: BrandViewer, query: string): Promise<string[]> {
  const params = parameters();
  const q = params.add(query);
  const { rows } = await pool.query<{ title: string; score: number }>(
    `select c.title, similarity(c.title, ${q}) as score from contents c
      where ${visibleTo(params.add(viewer.userId), params.add(viewer.admin))} and c.status <> 'archived'
      order by c.title <-> ${q} limit 20`,
    params.values,
  );
  const titles = rows.filter((row) => row.score >= MIN_SIMILARITY).map((row) => row.title);
  return [...new Set(titles)].slice(0, 5);
}

export interface VersionRow {
  content_id: string;
  version: number;
  title: string;
  fields: StoredFields;
  metadata: Metadata;
  author_id: string;
  restored_from: number | null;
  created_at: Date;
}

/** Newest version first; the cursor is the version number. */
export async function listVersions(pool: pg.Pool, contentId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 1);
  const after = page.after ? Number(page.after[0]) : null;
  const total = await countWhere(pool, 'content_versions', ['content_id = $1'], [contentId]);
  const { rows } = await pool.query<VersionRow>(
    `select * from content_versions where content_id = $1 and ($3::int is null or version < $3)
      order by version desc limit $2`,
    [contentId, page.first + 1, Number.isInteger(after) ? after : null],
  );
  return { rows, page, total };
}

export interface ReviewRow {
  version: number;
  state: string;
  steps: {
    name: string;
    role: string;
    state: string;
    by: string | null;
    at: string | null;
    comment: string | null;
  }[];
  current_step: number | null;
  submitted_at: Date;
}

export interface PublicationRow {
  publication_id: string;
  version: number;
  state: string;
  publish_at: Date | null;
  requested_at: Date;
  steps: { step: string; outcome: string; detail: string | null; at: string }[];
  channels: { channelId: string; kind: string; state: string; location: string | null }[];
  failure_stage: string | null;
  failure_reasons: string[] | null;
  finished_at: Date | null;
}

/** Two versions of a content, for a diff. */
export async function findVersionPair(pool: pg.Pool, contentId: string, from: number, to: number) {
  const { rows } = await pool.query<VersionRow>(
    'select * from content_versions where content_id = $1 and version = any($2::int[])',
    [contentId, [from, to]],
  );
  const version = (number: number) => {
    const row = rows.find((candidate) => candidate.version === number);
    return row && { ...row, fields: fieldListOf(row.fields) };
  };
  return { from: version(from), to: version(to) };
}

/** The content's latest review and latest publication. */
export async function findWorkflow(pool: pg.Pool, contentId: string) {
  const [review, publication] = await Promise.all([
    pool.query<ReviewRow>('select * from content_reviews where content_id = $1', [contentId]),
    pool.query<PublicationRow>(
      'select * from content_publications where content_id = $1 order by requested_at desc limit 1',
      [contentId],
    ),
  ]);
  return { review: review.rows[0] ?? null, publication: publication.rows[0] ?? null };
}

export interface FeedItemRow {
  content_id: string;
  title: string;
  fields: StoredFields;
  metadata: Metadata;
  published_at: Date;
  updated_at: Date;
}

/**
 * The brand's public feed: published contents listed on its feed channel, newest first. A content
 * the saga has put on the feed channel but not yet marked published waits until it is.
 */
export async function feedItems(pool: pg.Pool, brandId: string, limit: number) {
  const { rows } = await pool.query<FeedItemRow>(
    `select content_id, title, fields, metadata, published_at, updated_at from contents
      where brand_id = $1 and feed_listed and published_at is not null
      order by published_at desc limit $2`,
    [brandId, limit],
  );
  return rows;
}
