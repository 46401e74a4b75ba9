import type pg from 'pg';
import { z } from 'zod';
import { validation } from '../../domain/shared/domain-error.ts';
import type { SyncConflictResolutionKind } from '../../domain/sync/conflict-events.ts';

/**
 * The read side of the manual-resolution queue: a person's conflicts as the `sync_conflicts` read
 * model holds them (conflicts.ts resolves them, on their stream).
 */

/** A conflict as its owner sees it (the `sync_conflicts` read model, or its stream). */
export interface SyncConflictView {
  conflictId: string;
  communityId: string | null;
  deviceId: string;
  changeId: string;
  changeType: string;
  entityId: string;
  baseVersion: number;
  serverVersion: number;
  deviceValue: Record<string, unknown> | null;
  serverValue: Record<string, unknown> | null;
  status: 'open' | 'resolved';
  resolution: SyncConflictResolutionKind | null;
  queuedAt: string;
  resolvedAt: string | null;
}

export interface SyncConflictPage {
  edges: { cursor: string; node: SyncConflictView }[];
  nodes: SyncConflictView[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export const MAX_CONFLICTS_PAGE = 100;

interface ConflictRow {
  conflict_id: string;
  community_id: string | null;
  device_id: string;
  change_id: string;
  change_type: string;
  entity_id: string;
  base_version: number;
  server_version: number;
  device_value: Record<string, unknown> | null;
  server_value: Record<string, unknown> | null;
  status: 'open' | 'resolved';
  resolution: SyncConflictResolutionKind | null;
  queued_at: string;
  resolved_at: string | null;
}

const encodeCursor = (row: ConflictRow) =>
  Buffer.from(JSON.stringify([row.queued_at, row.conflict_id])).toString('base64url');

const cursorShape = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through to the typed error below.
  }
  throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
}

/**
 * A person's sync conflicts, newest queued first, of one status or all, keyset-paginated over the
 * `sync_conflicts` read model (the cursor is the last row's queue time and id).
 */
export async function listSyncConflicts(
  pool: pg.Pool,
  userId: string,
  options: { status?: 'open' | 'resolved' | null; first: number; after?: string | null },
): Promise<SyncConflictPage> {
  const first = Math.min(Math.max(1, Math.trunc(options.first)), MAX_CONFLICTS_PAGE);
  const after = options.after ? decodeCursor(options.after) : null;
  const { rows } = await pool.query<ConflictRow>(
    `select conflict_id, community_id, device_id, change_id, change_type, entity_id, base_version,
            server_version, device_value, server_value, status, resolution,
            to_json(queued_at) #>> '{}' as queued_at, to_json(resolved_at) #>> '{}' as resolved_at
       from sync_conflicts
      where user_id = $1
        and ($2::text is null or status = $2)
        and ($3::timestamptz is null or (queued_at, conflict_id) < ($3::timestamptz, $4::uuid))
      order by queued_at desc, conflict_id desc
      limit $5`,
    [userId.toLowerCase(), options.status ?? null, after?.[0] ?? null, after?.[1] ?? null, first + 1],
  );
  const edges = rows.slice(0, first).map((row) => ({ cursor: encodeCursor(row), node: viewOfRow(row) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function viewOfRow(row: ConflictRow): SyncConflictView {
  return {
    conflictId: row.conflict_id,
    communityId: row.community_id,
    deviceId: row.device_id,
    changeId: row.change_id,
    changeType: row.change_type,
    entityId: row.entity_id,
    baseVersion: row.base_version,
    serverVersion: row.server_version,
    deviceValue: row.device_value,
    serverValue: row.server_value,
    status: row.status,
    resolution: row.resolution,
    queuedAt: row.queued_at,
    resolvedAt: row.resolved_at,
  };
}
