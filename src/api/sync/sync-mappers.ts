import type { SyncConflictResolutionKind } from '../../domain/sync/conflict-events.ts';
import type { SyncOutcome } from '../../domain/sync/outcomes.ts';
import type { SyncConflictPage, SyncConflictView } from '../../services/sync/conflicts.ts';
import type { SyncRecord } from '../../services/sync/feed/pull.ts';
import type { SyncReply } from '../../services/sync/sync.ts';

/**
 * The service's sync answer in the API's shape, shared by the GraphQL form and the NDJSON form
 * (one client parser reads both): enum values upper-cased, absent fields null.
 */
export const toSyncOutcome = (outcome: SyncOutcome) => ({
  changeId: outcome.changeId,
  status: outcome.status.toUpperCase(),
  version: outcome.version ?? null,
  value: outcome.value ?? null,
  conflictId: outcome.conflictId ?? null,
  error: outcome.error
    ? {
        code: outcome.error.code,
        category: outcome.error.category,
        message: outcome.error.message,
        details: outcome.error.details ?? null,
      }
    : null,
  clientTimeClamped: outcome.clientTimeClamped === true,
});

export const toSyncRecord = (record: SyncRecord) => ({
  position: record.position,
  entityType: record.entityType,
  entityId: record.entityId,
  version: record.version,
  op: record.op.toUpperCase(),
  data: record.data,
});

/** Everything of the reply but its lists: the NDJSON form's last line. */
export const toSyncTrailer = (reply: SyncReply) => ({
  cursor: reply.cursor,
  hasMore: reply.hasMore,
  reseed: reply.reseed,
  serverTime: reply.serverTime,
  clockSkewMs: reply.clockSkewMs,
});

export const toSyncPayload = (reply: SyncReply) => ({
  ...toSyncTrailer(reply),
  outcomes: reply.outcomes.map(toSyncOutcome),
  changes: reply.changes.map(toSyncRecord),
});

const RESOLUTIONS: Readonly<Record<SyncConflictResolutionKind, string>> = {
  kept_server: 'KEEP_SERVER',
  kept_device: 'KEEP_DEVICE',
  edited: 'EDIT',
};

export const toSyncConflict = (view: SyncConflictView) => ({
  id: view.conflictId,
  changeId: view.changeId,
  changeType: view.changeType,
  entityId: view.entityId,
  deviceId: view.deviceId,
  status: view.status.toUpperCase(),
  deviceValue: view.deviceValue,
  serverValue: view.serverValue,
  queuedAt: new Date(view.queuedAt).toISOString(),
  resolvedAt: view.resolvedAt === null ? null : new Date(view.resolvedAt).toISOString(),
  resolution: view.resolution === null ? null : RESOLUTIONS[view.resolution],
});

export const toSyncConflictConnection = (page: SyncConflictPage) => ({
  edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toSyncConflict(edge.node) })),
  nodes: page.nodes.map(toSyncConflict),
  pageInfo: page.pageInfo,
});
