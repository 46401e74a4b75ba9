import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { conflict, notFound, validation } from '../../domain/shared/domain-error.ts';
import { syncConflictsAggregate } from '../../domain/sync/conflict-decider.ts';
import type { SyncConflictEventOf, SyncConflictResolutionKind } from '../../domain/sync/conflict-events.ts';
import { syncConflictsStream } from '../../domain/sync/streams.ts';
import { editCommunityPost } from '../communities/discussions.ts';
import { selfId } from '../identity/account.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { SyncConflictView } from './conflict-list.ts';
import type { SyncDeps } from './deps.ts';

export { listSyncConflicts, type SyncConflictPage, type SyncConflictView } from './conflict-list.ts';

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
