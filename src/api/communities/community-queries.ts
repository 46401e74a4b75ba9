import { z } from 'zod';
import type { CommunityVisibility, MembershipStatus } from '../../domain/communities/community-values.ts';
import type { CommunityRole } from '../../domain/communities/policy.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import type { Queryable } from '../../services/social/blocks.ts';
import { type Page, pageOf } from '../pagination.ts';

/**
 * The `communities` read model's reads. A community is always read with the caller's own member
 * row beside it (their role and status), so what they may see is decided from the same row.
 * Lists are keyset paginated (never OFFSET).
 */
export interface CommunityRow {
  community_id: string;
  name: string;
  description: string | null;
  language: string;
  region: string;
  visibility: CommunityVisibility;
  rules: string | null;
  min_trust_to_start_threads: number;
  min_trust_to_post_links: number;
  member_count: number;
  created_by: string;
  created_at: Date;
  my_role: CommunityRole | null;
  my_status: MembershipStatus | null;
  /** The caller's joining time, for myCommunities' order. */
  my_joined_at: Date | null;
}

const COLUMNS = `c.community_id, c.name, c.description, c.language, c.region, c.visibility, c.rules,
  c.min_trust_to_start_threads, c.min_trust_to_post_links, c.member_count, c.created_by, c.created_at,
  m.role as my_role, m.status as my_status, m.joined_at as my_joined_at`;
const FROM = `community_communities c
  left join community_members m on m.community_id = c.community_id and m.user_id = $1::uuid`;

/** The community with the reader's row (null reader: anonymous); undefined when missing or erased. */
export async function communityRowOf(
  pool: Queryable,
  readerId: string | null,
  communityId: string,
): Promise<CommunityRow | undefined> {
  const { rows } = await pool.query<CommunityRow>(
    `select ${COLUMNS} from ${FROM} where c.community_id = $2::uuid and not c.erased`,
    [readerId, communityId],
  );
  return rows[0];
}

const createdCursor = z.tuple([z.iso.datetime(), z.uuid()]);

export const communityCursor = (row: CommunityRow) => [row.created_at.toISOString(), row.community_id];
export const myCommunityCursor = (row: CommunityRow) => [
  (row.my_joined_at ?? row.created_at).toISOString(),
  row.community_id,
];

export interface CommunityFilters {
  language?: string | null;
  region?: string | null;
  search?: string | null;
}

/**
 * The directory: public and request-to-join communities, and those the reader is a member of or
 * invited to (or created), newest first. Language compares exactly, region in any case, search
 * is words of the name or description (the `simple` configuration: no stemming, any language).
 */
export async function listCommunities(
  pool: Queryable,
  readerId: string | null,
  filters: CommunityFilters,
  raw: { first?: number | null; after?: string | null },
): Promise<{ rows: CommunityRow[]; page: Page }> {
  const page = pageOf(raw, 2);
  const values: unknown[] = [readerId, page.first + 1];
  const where = [
    'not c.erased',
    `(c.visibility <> 'invite_only' or m.status in ('member', 'invited') or c.created_by = $1::uuid)`,
  ];
  const add = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filters.language) where.push(`c.language = ${add(filters.language)}`);
  if (filters.region) where.push(`lower(c.region) = lower(${add(filters.region)})`);
  if (filters.search?.trim())
    where.push(`c.search @@ websearch_to_tsquery('simple', ${add(filters.search)})`);
  if (page.after) {
    const [createdAt, id] = cursorOf(createdCursor, page.after);
    where.push(`(c.created_at, c.community_id) < (${add(createdAt)}::timestamptz, ${add(id)}::uuid)`);
  }
  const { rows } = await pool.query<CommunityRow>(
    `select ${COLUMNS} from ${FROM} where ${where.join(' and ')}
      order by c.created_at desc, c.community_id desc limit $2`,
    values,
  );
  return { rows, page };
}

/** The reader's communities, the most recently joined first. */
export async function listMyCommunities(
  pool: Queryable,
  readerId: string,
  raw: { first?: number | null; after?: string | null },
): Promise<{ rows: CommunityRow[]; page: Page }> {
  const page = pageOf(raw, 2);
  const values: unknown[] = [readerId, page.first + 1];
  let keyset = '';
  if (page.after) {
    const [joinedAt, id] = cursorOf(createdCursor, page.after);
    values.push(joinedAt, id);
    keyset = 'and (m.joined_at, c.community_id) < ($3::timestamptz, $4::uuid)';
  }
  const { rows } = await pool.query<CommunityRow>(
    `select ${COLUMNS} from community_members m
       join community_communities c on c.community_id = m.community_id
      where m.user_id = $1::uuid and m.status = 'member' and not c.erased ${keyset}
      order by m.joined_at desc, c.community_id desc limit $2`,
    values,
  );
  return { rows, page };
}

export interface MemberRow {
  user_id: string;
  role: CommunityRole;
  joined_at: Date;
}

export const memberCursor = (row: MemberRow) => [row.joined_at.toISOString(), row.user_id];

/**
 * A page of each community's members (of one role, if given), longest-standing first: one
 * statement for a whole list of communities (a lateral page per community on its index).
 */
export async function listMembersOf(
  pool: Queryable,
  communityIds: readonly string[],
  role: CommunityRole | null,
  raw: { first?: number | null; after?: string | null },
): Promise<{ rows: Map<string, MemberRow[]>; page: Page }> {
  const page = pageOf(raw, 2);
  const found = new Map<string, MemberRow[]>(communityIds.map((id) => [id, []]));
  if (communityIds.length === 0) return { rows: found, page };
  const values: unknown[] = [communityIds, page.first + 1];
  const where = ['m.community_id = c.id', `m.status = 'member'`];
  if (role) {
    values.push(role);
    where.push(`m.role = $${values.length}`);
  }
  if (page.after) {
    const [joinedAt, id] = cursorOf(createdCursor, page.after);
    values.push(joinedAt, id);
    where.push(`(m.joined_at, m.user_id) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  const { rows } = await pool.query<MemberRow & { community_id: string }>(
    `select c.id as community_id, page.user_id, page.role, page.joined_at
       from unnest($1::uuid[]) as c(id)
       cross join lateral (
         select m.user_id, m.role, m.joined_at from community_members m
          where ${where.join(' and ')}
          order by m.joined_at, m.user_id limit $2) as page
      order by c.id, page.joined_at, page.user_id`,
    values,
  );
  for (const { community_id, ...row } of rows) found.get(community_id)?.push(row);
  return { rows: found, page };
}

export interface JoinRequestRow {
  user_id: string;
  requested_at: Date;
}

export const joinRequestCursor = (row: JoinRequestRow) => [row.requested_at.toISOString(), row.user_id];

/** A page of the requests waiting for an answer, oldest first. */
export async function listJoinRequests(
  pool: Queryable,
  communityId: string,
  raw: { first?: number | null; after?: string | null },
): Promise<{ rows: JoinRequestRow[]; page: Page }> {
  const page = pageOf(raw, 2);
  const values: unknown[] = [communityId, page.first + 1];
  let keyset = '';
  if (page.after) {
    const [requestedAt, id] = cursorOf(createdCursor, page.after);
    values.push(requestedAt, id);
    keyset = 'and (requested_at, user_id) > ($3::timestamptz, $4::uuid)';
  }
  const { rows } = await pool.query<JoinRequestRow>(
    `select user_id, requested_at from community_members
      where community_id = $1::uuid and status = 'requested' ${keyset}
      order by requested_at, user_id limit $2`,
    values,
  );
  return { rows, page };
}

function cursorOf<Values extends readonly unknown[]>(schema: z.ZodType<Values>, values: string[]): Values {
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
  return parsed.data;
}
