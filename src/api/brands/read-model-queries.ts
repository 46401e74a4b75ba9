import type pg from 'pg';
import { z } from 'zod';
import type { Actor } from '../../domain/shared/decider.ts';
import { pageOf } from '../pagination.ts';
import { countWhere, likePrefix, parameters, sortKey, whereClause } from '../shared/sql.ts';

/** Whose brands a caller sees: platform admins every brand, others those they are members of. */
export interface BrandViewer {
  admin: boolean;
  /** The member the caller reads as: the user, or an API key's owner. */
  userId: string | null;
}

export function brandViewerOf(actor: Actor): BrandViewer {
  if (actor.kind === 'user') return { admin: actor.role === 'admin', userId: actor.userId };
  if (actor.kind === 'integration') return { admin: false, userId: actor.ownerId };
  return { admin: false, userId: null };
}

export interface BrandRow {
  brand_id: string;
  name: string;
  description: string;
  identity: { toneOfVoice: string; guardrails: string[]; colours: string[]; logoUrl: string | null };
  country: string;
  language: string;
  allowed_content_types: string[];
  workflow: { steps: { name: string; role: string }[] };
  channels: ({ channelId: string; kind: 'webhook'; url: string } | { channelId: string; kind: 'feed' })[];
  created_by: string;
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
  archive_reason: string | null;
  /** The viewer's role in the brand (null if not a member). */
  my_role: string | null;
  sort_key: string;
}

const brandColumns = (viewer: string) => `b.*, ${sortKey('b.created_at')},
  (select role from brand_members m where m.brand_id = b.brand_id and m.user_id = ${viewer}) as my_role`;

/** One brand, if the viewer may see it. */
export async function findBrand(pool: pg.Pool, viewer: BrandViewer, brandId: string) {
  const rows = await findBrands(pool, viewer, [brandId]);
  return rows.get(brandId);
}

/** Batch lookup for loaders; brands the viewer may not see are left out. */
export async function findBrands(pool: pg.Pool, viewer: BrandViewer, brandIds: readonly string[]) {
  const { rows } = await pool.query<BrandRow>(
    `select ${brandColumns('$2::uuid')} from brands b
      where b.brand_id = any($1::uuid[])
        and ($3 or exists (select 1 from brand_members m where m.brand_id = b.brand_id and m.user_id = $2::uuid))`,
    [brandIds, viewer.userId, viewer.admin],
  );
  return new Map(rows.map((row) => [row.brand_id, row]));
}

const brandFilter = z
  .object({ search: z.string().trim().max(200).nullish(), includeArchived: z.boolean().nullish() })
  .nullish();

/** Oldest first: new brands append to the end and never shift a page already read. */
export async function listBrands(
  pool: pg.Pool,
  viewer: BrandViewer,
  args: { filter?: unknown; page?: unknown },
) {
  const filter = brandFilter.parse(args.filter) ?? {};
  const page = pageOf(args.page, 2);
  const params = parameters();
  // The count sends every parameter the WHERE has so far, so each one must appear in it: an admin's
  // WHERE does not name the viewer, whose id is added after the count, for `myRole` only.
  const where = viewer.admin
    ? []
    : [
        `exists (select 1 from brand_members m where m.brand_id = b.brand_id and m.user_id = ${params.add(viewer.userId)}::uuid)`,
      ];
  if (!filter.includeArchived) where.push('b.archived_at is null');
  if (filter.search) where.push(`lower(b.name) like ${params.add(likePrefix(filter.search))}`);
  const total = await countWhere(pool, 'brands b', where, params.values);
  if (page.after) {
    where.push(
      `(b.created_at, b.brand_id) > (${params.add(page.after[0])}::timestamptz, ${params.add(page.after[1])}::uuid)`,
    );
  }
  const viewerParam = params.add(viewer.userId);
  const { rows } = await pool.query<BrandRow>(
    `select ${brandColumns(`${viewerParam}::uuid`)} from brands b ${whereClause(where)}
      order by b.created_at, b.brand_id limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

export interface MemberRow {
  brand_id: string;
  user_id: string;
  role: string;
  added_at: Date;
  sort_key: string;
}

export async function listMembers(pool: pg.Pool, brandId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const total = await countWhere(pool, 'brand_members', ['brand_id = $1'], [brandId]);
  const { rows } = await pool.query<MemberRow>(
    `select brand_id, user_id, role, added_at, ${sortKey('added_at')} from brand_members
      where brand_id = $1 ${page.after ? 'and (added_at, user_id) > ($3::timestamptz, $4::uuid)' : ''}
      order by added_at, user_id limit $2`,
    [brandId, page.first + 1, ...(page.after ?? [])],
  );
  return { rows, page, total };
}

export interface ClaimRow {
  claim_id: string;
  country: string;
  text: string;
  added_at: Date;
}

/** More claims than any brand keeps; the bound only protects the API from a runaway list. */
const MAX_CLAIMS = 1_000;

export async function listMasterClaims(pool: pg.Pool, brandId: string, country: string | null) {
  const { rows } = await pool.query<ClaimRow>(
    `select claim_id, country, text, added_at from master_claims
      where brand_id = $1 and ($2::text is null or country = $2) order by added_at, claim_id
      limit ${MAX_CLAIMS}`,
    [brandId, country],
  );
  return rows;
}
