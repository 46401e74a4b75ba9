import type pg from 'pg';
import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { conflict, notFound, validation } from '../../domain/shared/domain-error.ts';
import { syncConflictsAggregate } from '../../domain/sync/conflict-decider.ts';
import type { SyncConflictEventOf, SyncConflictResolutionKind } from '../../domain/sync/conflict-events.ts';
import { syncConflictsStream } from '../../domain/sync/streams.ts';
import { editCommunityPost } from '../communities/discussions.ts';
import { selfId } from '../identity/account.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { SyncDeps } from './deps.ts';

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

const RESOLUTIONS = {
  KEEP_SERVER: 'kept_server',
  KEEP_DEVICE: 'kept_device',
  EDIT: 'edited',
} as const satisfies Record<string, SyncConflictResolutionKind>;

export const resolveSyncConflictInput = z.object({
  conflictId: z.uuid().transform((id) => id.toLowerCase()),
  resolution: z.enum(['KEEP_SERVER', 'KEEP_DEVICE', 'EDIT']),
  title: z.string().max(200).nullish(),
  body: z.string().max(10_000).nullish(),
  idempotencyKey: z.string().min(8).max(128).nullish(),
});

const conflictNotFound = () => notFound('SYNC_CONFLICT_NOT_FOUND', 'No such sync conflict');

type Queued = SyncConflictEventOf<'SyncConflictQueued'>['data'];

/**
 * How a kept value is written back, per change type that can be queued (manualResolution rows of
 * SYNC_CHANGE_TYPES). The edit's idempotency key is the conflict's, so a resolution retried after a
 * crash between the edit and the resolution's event edits once.
 */
const WRITE_BACK: Readonly<
  Record<
    string,
    (
      deps: SyncDeps,
      context: RequestContext,
      queued: Queued,
      value: Record<string, unknown>,
    ) => Promise<unknown>
  >
> = {
  'post.edit': (deps, context, queued, value) =>
    editCommunityPost(deps, context, {
      postId: queued.entityId,
      title: value.title ?? null,
      body: value.body,
      idempotencyKey: `sync-conflict:${queued.conflictId}`,
    }),
};

/**
 * The person settles one of their queued conflicts. KEEP_SERVER records only the decision (the
 * server already holds its value); KEEP_DEVICE writes the device's value back through the owning
 * context's use case (judged as any edit is now: a post since removed refuses), EDIT writes the
 * person's own merge (`title`, `body`); the resolution is recorded after the write, so a crash in
 * between leaves the conflict open and the retry completes it. Another person's conflict is not on
 * this person's stream, so it reads as none.
 */
export async function resolveSyncConflict(
  deps: SyncDeps,
  context: RequestContext,
  raw: unknown,
): Promise<SyncConflictView> {
  const input = resolveSyncConflictInput.parse(raw);
  const userId = selfId(context.actor).toLowerCase();
  const stream = syncConflictsStream(userId);
  const { state, events } = await loadAggregate(deps, syncConflictsAggregate, stream);
  const queued = events
    .map((loaded) => loaded.event)
    .find(
      (event): event is SyncConflictEventOf<'SyncConflictQueued'> =>
        event.type === 'SyncConflictQueued' && event.data.conflictId === input.conflictId,
    )?.data;
  if (queued === undefined) throw conflictNotFound();
  const resolution = RESOLUTIONS[input.resolution];
  const kept = keptValue(input, queued);
  // Already resolved: no second write; the pipeline replays a retry with the same key, and the
  // decider refuses anything else (SYNC_CONFLICT_ALREADY_RESOLVED).
  if (state.conflicts[input.conflictId]?.status === 'open' && resolution !== 'kept_server') {
    const writeBack = WRITE_BACK[queued.changeType];
    if (writeBack === undefined || kept === null) {
      throw conflict('SYNC_CONFLICT_VALUE_GONE', "Only the server's value can be kept for this conflict");
    }
    await writeBack(deps, context, queued, kept);
  }
  await execute(
    deps,
    syncConflictsAggregate,
    stream,
    envelope(
      context,
      commandIdFor(context, `resolveSyncConflict:${input.conflictId}`, input),
      nowFrom(deps),
      {
        type: 'ResolveSyncConflict',
        conflictId: input.conflictId,
        userId,
        resolution,
        resolvedValue: kept === null ? null : JSON.stringify(kept),
      },
    ),
  );
  // Read back: a replayed resolution answers with the time and kind the first one recorded.
  const recorded = await loadAggregate(deps, syncConflictsAggregate, stream);
  const eventOf = (type: string) =>
    recorded.events.find(
      ({ event }) =>
        event.type === type && 'conflictId' in event.data && event.data.conflictId === input.conflictId,
    );
  const resolved = eventOf('SyncConflictResolved');
  return {
    ...viewOfQueued(
      queued,
      eventOf('SyncConflictQueued')?.metadata.occurredAt ?? nowFrom(deps).toISOString(),
    ),
    status: 'resolved',
    resolution: resolved?.event.type === 'SyncConflictResolved' ? resolved.event.data.resolution : resolution,
    resolvedAt: resolved?.metadata.occurredAt ?? nowFrom(deps).toISOString(),
  };
}

/** The value the resolution keeps: the server's or device's as queued (null once erased), or the edit. */
function keptValue(
  input: z.infer<typeof resolveSyncConflictInput>,
  queued: Queued,
): Record<string, unknown> | null {
  switch (input.resolution) {
    case 'KEEP_SERVER':
      return parseValue(queued.serverValue);
    case 'KEEP_DEVICE':
      return parseValue(queued.deviceValue);
    case 'EDIT': {
      const body = input.body?.trim();
      if (!body) throw validation('EDIT_BODY_REQUIRED', 'An EDIT resolution gives the body to keep');
      return { title: input.title?.trim() || null, body };
    }
  }
}

function parseValue(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function viewOfQueued(queued: Queued, queuedAt: string): SyncConflictView {
  return {
    conflictId: queued.conflictId,
    communityId: queued.communityId,
    deviceId: queued.deviceId,
    changeId: queued.changeId,
    changeType: queued.changeType,
    entityId: queued.entityId,
    baseVersion: queued.baseVersion,
    serverVersion: queued.serverVersion,
    deviceValue: parseValue(queued.deviceValue),
    serverValue: parseValue(queued.serverValue),
    status: 'open',
    resolution: null,
    queuedAt,
    resolvedAt: null,
  };
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
