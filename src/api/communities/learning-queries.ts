import type pg from 'pg';
import type { Page } from '../pagination.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export interface PathRow {
  community_id: string;
  path_id: string;
  title: string;
  description: string | null;
  created_by: string;
  module_ids: string[];
  published_version: number;
  published_module_ids: string[];
  published_at: Date | null;
  position: string;
  created_at: Date;
  updated_at: Date;
}

export interface ModuleRow {
  community_id: string;
  module_id: string;
  path_id: string;
  title: string;
  latest_version: number;
  published_version: number | null;
  created_by: string;
  position: string;
  created_at: Date;
  updated_at: Date;
}

export interface ModuleVersionRow {
  community_id: string;
  module_id: string;
  version: number;
  title: string;
  body: string | null;
  media_asset_ids: string[];
  edited_by: string;
  edited_at: Date;
}

export interface CheckpointRow {
  community_id: string;
  checkpoint_id: string;
  path_id: string;
  module_id: string;
  latest_version: number;
  approved_version: number | null;
  approved_by: string | null;
  approved_at: Date | null;
  position: string;
  created_at: Date;
}

export interface CheckpointVersionRow {
  community_id: string;
  checkpoint_id: string;
  version: number;
  questions: string | null;
  pass_mark: number;
  max_attempts: number;
  cooldown_seconds: number;
  source: 'mentor' | 'generated';
  generator: { provider: string; model: string; label: string } | null;
  drafted_by: string;
  drafted_at: Date;
}

/** Lookups by id alone use the (id) indexes: the community comes from the row, then access is judged. */
export async function findPath(pool: Queryable, pathId: string): Promise<PathRow | undefined> {
  const { rows } = await pool.query<PathRow>('select * from community_learning_paths where path_id = $1', [
    pathId,
  ]);
  return rows[0];
}

export async function findModule(pool: Queryable, moduleId: string): Promise<ModuleRow | undefined> {
  const { rows } = await pool.query<ModuleRow>(
    'select * from community_learning_modules where module_id = $1',
    [moduleId],
  );
  return rows[0];
}

export async function findCheckpoint(
  pool: Queryable,
  checkpointId: string,
): Promise<CheckpointRow | undefined> {
  const { rows } = await pool.query<CheckpointRow>(
    'select * from community_checkpoints where checkpoint_id = $1',
    [checkpointId],
  );
  return rows[0];
}

/** A community's paths oldest first; `publishedOnly` for learners. */
export async function listPaths(pool: Queryable, communityId: string, publishedOnly: boolean, page: Page) {
  const after = page.after?.[0] ?? null;
  const { rows } = await pool.query<PathRow>(
    `select * from community_learning_paths
      where community_id = $1 and ($2::boolean is false or published_version > 0)
        and ($3::bigint is null or position > $3::bigint)
      order by position limit $4`,
    [communityId, publishedOnly, after, page.first + 1],
  );
  return rows;
}
export const pathCursor = (row: PathRow) => [row.position];

/** A path's modules (at most a few hundred), oldest first; the caller orders them. */
export async function modulesOfPath(
  pool: Queryable,
  communityId: string,
  pathId: string,
): Promise<ModuleRow[]> {
  const { rows } = await pool.query<ModuleRow>(
    'select * from community_learning_modules where community_id = $1 and path_id = $2 order by position',
    [communityId, pathId],
  );
  return rows;
}

/** Versions by (module, version), read in one statement. */
export async function moduleVersions(
  pool: Queryable,
  communityId: string,
  wanted: readonly { moduleId: string; version: number }[],
): Promise<Map<string, ModuleVersionRow>> {
  if (wanted.length === 0) return new Map();
  const { rows } = await pool.query<ModuleVersionRow>(
    `select v.* from community_learning_module_versions v
       join unnest($2::uuid[], $3::int[]) as w(module_id, version)
         on v.module_id = w.module_id and v.version = w.version
      where v.community_id = $1`,
    [communityId, wanted.map((w) => w.moduleId), wanted.map((w) => w.version)],
  );
  return new Map(rows.map((row) => [`${row.module_id}:${row.version}`, row]));
}

/** Every version of a module, newest first, a page at a time (for publishers). */
export async function listModuleVersions(pool: Queryable, communityId: string, moduleId: string, page: Page) {
  const after = page.after?.[0] ?? null;
  const { rows } = await pool.query<ModuleVersionRow>(
    `select * from community_learning_module_versions
      where community_id = $1 and module_id = $2 and ($3::int is null or version < $3::int)
      order by version desc limit $4`,
    [communityId, moduleId, after, page.first + 1],
  );
  return rows;
}

export async function checkpointVersionOf(
  pool: Queryable,
  communityId: string,
  checkpointId: string,
  version: number,
): Promise<CheckpointVersionRow | undefined> {
  const { rows } = await pool.query<CheckpointVersionRow>(
    `select * from community_checkpoint_versions
      where community_id = $1 and checkpoint_id = $2 and version = $3`,
    [communityId, checkpointId, version],
  );
  return rows[0];
}

export async function listCheckpointVersions(pool: Queryable, communityId: string, checkpointId: string) {
  const { rows } = await pool.query<CheckpointVersionRow>(
    `select * from community_checkpoint_versions
      where community_id = $1 and checkpoint_id = $2 order by version desc limit 100`,
    [communityId, checkpointId],
  );
  return rows;
}

/** The checkpoints of several modules of one community, in one statement (approved ones for learners). */
export async function checkpointsOfModules(
  pool: Queryable,
  communityId: string,
  moduleIds: readonly string[],
  approvedOnly: boolean,
): Promise<CheckpointRow[]> {
  const { rows } = await pool.query<CheckpointRow>(
    `select * from community_checkpoints
      where community_id = $1 and module_id = any($2::uuid[])
        and ($3::boolean is false or approved_version is not null)
      order by position`,
    [communityId, moduleIds, approvedOnly],
  );
  return rows;
}

/** Versions by (checkpoint, version), read in one statement. */
export async function checkpointVersions(
  pool: Queryable,
  communityId: string,
  wanted: readonly { checkpointId: string; version: number }[],
): Promise<Map<string, CheckpointVersionRow>> {
  if (wanted.length === 0) return new Map();
  const { rows } = await pool.query<CheckpointVersionRow>(
    `select v.* from community_checkpoint_versions v
       join unnest($2::uuid[], $3::int[]) as w(checkpoint_id, version)
         on v.checkpoint_id = w.checkpoint_id and v.version = w.version
      where v.community_id = $1`,
    [communityId, wanted.map((w) => w.checkpointId), wanted.map((w) => w.version)],
  );
  return new Map(rows.map((row) => [`${row.checkpoint_id}:${row.version}`, row]));
}
