import type pg from 'pg';
import { z } from 'zod';
import { type Page, pageOf } from '../pagination.ts';

/**
 * The identity read models as the API reads them. Rows keep their SQL names; resolvers map them.
 * Lists use keyset pagination; `sort_key` is the row's timestamp at full (microsecond) precision,
 * so a cursor built from it never skips or repeats rows that share a millisecond.
 */
const sortKey = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_key`;

export interface UserRow {
  user_id: string;
  email: string | null;
  display_name: string | null;
  bio: string | null;
  role: string;
  status: string;
  totp_enabled: boolean;
  registered_at: Date;
  last_sign_in_at: Date | null;
  email_verified_at: Date | null;
  sort_key: string;
}

const USER_COLUMNS = `user_id, email, display_name, bio, role, status, totp_enabled, registered_at, last_sign_in_at,
  email_verified_at, ${sortKey('registered_at')}`;

export async function findUser(pool: pg.Pool, userId: string): Promise<UserRow | undefined> {
  const { rows } = await pool.query<UserRow>(`select ${USER_COLUMNS} from users where user_id = $1`, [
    userId,
  ]);
  return rows[0];
}

/** Batch lookup for loaders: one statement for any number of users. */
export async function findUsers(pool: pg.Pool, userIds: readonly string[]): Promise<Map<string, UserRow>> {
  const { rows } = await pool.query<UserRow>(
    `select ${USER_COLUMNS} from users where user_id = any($1::uuid[])`,
    [userIds],
  );
  return new Map(rows.map((row) => [row.user_id, row]));
}

const usersFilter = z
  .object({
    role: z.string().max(20).nullish(),
    status: z.string().max(20).nullish(),
    search: z.string().trim().max(254).nullish(),
  })
  .nullish();

/**
 * Oldest first, so new registrations append to the end and never shift a page already read. With
 * `withTotal`, the count of every matching user rides along as a column of the page's own
 * statement (PostgreSQL runs the uncorrelated subquery once); only an empty page past the end
 * needs a statement of its own to learn it.
 */
export async function listUsers(
  pool: pg.Pool,
  args: { filter?: unknown; page?: unknown },
  options: { withTotal: boolean },
) {
  const filter = usersFilter.parse(args.filter) ?? {};
  const page = pageOf(args.page, 2);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.role) where.push(`role = ${param(filter.role)}`);
  if (filter.status) where.push(`status = ${param(filter.status)}`);
  if (filter.search) {
    const prefix = `${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(email like ${param(prefix)} or lower(display_name) like ${param(prefix)})`);
  }
  const matching = { where: [...where], params: [...params] };
  const countColumn = options.withTotal
    ? `, (select count(*) from users ${whereClause(matching.where)})::int as total_count`
    : '';
  if (page.after) {
    where.push(
      `(registered_at, user_id) > (${param(page.after[0])}::timestamptz, ${param(page.after[1])}::uuid)`,
    );
  }
  const { rows } = await pool.query<UserRow & { total_count?: number }>(
    `select ${USER_COLUMNS}${countColumn} from users ${whereClause(where)}
      order by registered_at, user_id limit ${param(page.first + 1)}`,
    params,
  );
  const total = !options.withTotal
    ? undefined
    : (rows[0]?.total_count ??
      (page.after ? await countWhere(pool, 'users', matching.where, matching.params) : 0));
  return { rows, page, total };
}

export interface SessionRow {
  session_id: string;
  user_id: string;
  started_at: Date;
  expires_at: Date;
  last_refreshed_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  sort_key: string;
}

/** Newest first; counted only `withTotal`. */
export async function listSessions(
  pool: pg.Pool,
  userId: string,
  rawPage: unknown,
  options: { withTotal: boolean },
) {
  const page = pageOf(rawPage, 2);
  const total = options.withTotal
    ? await countWhere(pool, 'sessions', ['user_id = $1'], [userId])
    : undefined;
  const { rows } = await pool.query<SessionRow>(
    `select session_id, user_id, started_at, expires_at, last_refreshed_at, revoked_at, revoked_reason,
            ${sortKey('started_at')}
       from sessions
      where user_id = $1 ${page.after ? 'and (started_at, session_id) < ($3::timestamptz, $4::uuid)' : ''}
      order by started_at desc, session_id desc limit $2`,
    [userId, page.first + 1, ...(page.after ?? [])],
  );
  return { rows, page, total };
}

export interface ApiKeyRow {
  key_id: string;
  owner_id: string;
  name: string;
  scopes: string[];
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  sort_key: string;
}

const API_KEY_COLUMNS = `key_id, owner_id, name, scopes, prefix, created_at, revoked_at, ${sortKey('created_at')}`;

/** Newest first; counted only `withTotal`. */
export async function listApiKeys(
  pool: pg.Pool,
  ownerId: string,
  rawPage: unknown,
  options: { withTotal: boolean },
) {
  const page = pageOf(rawPage, 2);
  const total = options.withTotal
    ? await countWhere(pool, 'api_keys', ['owner_id = $1'], [ownerId])
    : undefined;
  const { rows } = await pool.query<ApiKeyRow>(
    `select ${API_KEY_COLUMNS} from api_keys
      where owner_id = $1 ${page.after ? 'and (created_at, key_id) < ($3::timestamptz, $4::uuid)' : ''}
      order by created_at desc, key_id desc limit $2`,
    [ownerId, page.first + 1, ...(page.after ?? [])],
  );
  return { rows, page, total };
}

/**
 * The first page of API keys of many owners in one statement (for the `User.apiKeys` loader):
 * each owner's newest `first + 1` keys and their total, via window functions.
 */
export async function firstApiKeysOfOwners(pool: pg.Pool, ownerIds: readonly string[], page: Page) {
  const { rows } = await pool.query<ApiKeyRow & { total: string }>(
    `select * from (
       select ${API_KEY_COLUMNS},
              row_number() over (partition by owner_id order by created_at desc, key_id desc) as rank,
              count(*) over (partition by owner_id) as total
         from api_keys where owner_id = any($1::uuid[])
     ) ranked where rank <= $2 order by owner_id, rank`,
    [ownerIds, page.first + 1],
  );
  const byOwner = new Map<string, { rows: ApiKeyRow[]; total: number }>();
  for (const row of rows) {
    const entry = byOwner.get(row.owner_id) ?? { rows: [], total: Number(row.total) };
    entry.rows.push(row);
    byOwner.set(row.owner_id, entry);
  }
  return byOwner;
}

export async function findApiKey(pool: pg.Pool, keyId: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await pool.query<ApiKeyRow>(`select ${API_KEY_COLUMNS} from api_keys where key_id = $1`, [
    keyId,
  ]);
  return rows[0];
}

async function countWhere(pool: pg.Pool, table: string, where: string[], params: unknown[]): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(
    `select count(*) from ${table} ${whereClause(where)}`,
    params,
  );
  return Number(rows[0]?.count ?? 0);
}

const whereClause = (where: string[]) => (where.length > 0 ? `where ${where.join(' and ')}` : '');
