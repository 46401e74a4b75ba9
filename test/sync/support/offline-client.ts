import { SYNC_CHANGE_TYPES, type SyncChangeType } from '../../../src/domain/sync/change-types.ts';
import type { SyncRecordView } from '../../api/sync/sync-support.ts';

/**
 * A small offline device for sync tests, written as a client author would (docs: the sync
 * protocol): it keeps a local copy of the entities the feed sends it (version and data per
 * entity), a queue of changes made offline (each with its changeId, the version its copy had as
 * baseVersion and the device clock's time), a cursor, and pushes the queue with every sync. A reply
 * it never saw (dropped on the way back) leaves the queue as it was, so the next sync sends the same
 * changes again, with the same ids: the server must answer them as the first time.
 */

/** The `sync` mutation's input, as the contract names it. */
export interface SyncInput {
  deviceId: string;
  cursor?: string;
  snapshotToken?: string;
  deviceTime?: string;
  changes: PendingChange[];
}

export interface PendingChange {
  changeId: string;
  type: SyncChangeType;
  entityId: string;
  baseVersion: number;
  clientTime: string;
  payload: Record<string, unknown>;
}

export type OutcomeStatus = 'APPLIED' | 'MERGED' | 'SUPERSEDED' | 'QUEUED' | 'REFUSED';

export interface SyncOutcomeView {
  changeId: string;
  status: OutcomeStatus;
  version: number | null;
  value: Record<string, unknown> | null;
  conflictId: string | null;
  error: { code: string; category: string; message: string } | null;
  clientTimeClamped: boolean;
}

export interface SyncReply {
  outcomes: SyncOutcomeView[];
  changes: SyncRecordView[];
  cursor: string;
  hasMore: boolean;
  reseed: { reason: string; nextSnapshotToken: string | null } | null;
  serverTime: string;
  clockSkewMs: number;
}

export const SYNC_MUTATION = `mutation ($input: SyncInput!) { sync(input: $input) {
  outcomes { changeId status version value conflictId error { code category message } clientTimeClamped }
  changes { position entityType entityId version op data }
  cursor hasMore reseed { reason nextSnapshotToken } serverTime clockSkewMs } }`;

/** Sends one sync; answers the reply, or the error that stood for it (the device retries later). */
export type SyncTransport = (input: SyncInput) => Promise<SyncReply | { error: string }>;

export interface CopyEntry {
  version: number;
  data: Record<string, unknown>;
}

/** What one sync call did, for the test's log. */
export interface SyncExchange {
  deviceId: string;
  sent: PendingChange[];
  /** Null when the transport failed (an error reply). */
  reply: SyncReply | null;
  error?: string;
  /** The device never saw the reply (the test dropped it on the way back). */
  dropped: boolean;
}

export const entityKey = (entityType: string, entityId: string) => `${entityType}:${entityId}`;

export class OfflineClient {
  /** The local copy: `entityType:entityId` → the version and data the feed last sent. */
  readonly copy = new Map<string, CopyEntry>();
  /**
   * Versions of entities the feed deleted (a membership left, a post removed): a change made
   * afterwards is based on that version, not on -1, or it would always look like a conflict.
   */
  readonly tombstones = new Map<string, number>();
  /** Changes made offline, oldest first, not yet answered. */
  pending: PendingChange[] = [];
  /** Every outcome this device was shown, by changeId. */
  readonly outcomes = new Map<string, SyncOutcomeView>();
  cursor: string | null = null;
  private snapshotToken: string | null = null;
  private changeCount = 0;

  constructor(
    readonly deviceId: string,
    private readonly transport: SyncTransport,
    /** The device's clock (simulated by the test): the client time of the next change. */
    private readonly clock: () => string,
    /** Changes per sync at most (the GraphQL form's limit is larger; batches keep tests varied). */
    private readonly batchSize = 50,
  ) {}

  versionOf(entityType: string, entityId: string): number {
    const key = entityKey(entityType, entityId);
    return this.copy.get(key)?.version ?? this.tombstones.get(key) ?? -1;
  }

  dataOf(entityType: string, entityId: string): Record<string, unknown> | undefined {
    return this.copy.get(entityKey(entityType, entityId))?.data;
  }

  /** A change made offline: queued with the version of the entity this device's copy holds. */
  change(type: SyncChangeType, entityId: string, payload: Record<string, unknown>): PendingChange {
    this.changeCount += 1;
    const pending: PendingChange = {
      changeId: `${this.deviceId.slice(0, 8)}.${this.changeCount}.${type}`,
      type,
      entityId,
      baseVersion: this.versionOf(SYNC_CHANGE_TYPES[type].entity, entityId),
      clientTime: this.clock(),
      payload,
    };
    this.pending.push(pending);
    return pending;
  }

  /**
   * One sync: the queue (up to the batch size) goes up, the feed comes down. With `dropReply`
   * the server does its work but the device never sees the answer.
   */
  async sync(options: { dropReply?: boolean } = {}): Promise<SyncExchange> {
    const sent = this.pending.slice(0, this.batchSize);
    const input: SyncInput = {
      deviceId: this.deviceId,
      changes: sent,
      deviceTime: this.clock(),
      ...(this.snapshotToken ? { snapshotToken: this.snapshotToken } : {}),
      ...(this.cursor !== null && !this.snapshotToken ? { cursor: this.cursor } : {}),
    };
    const answer = await this.transport(input);
    const dropped = options.dropReply === true;
    if ('error' in answer)
      return { deviceId: this.deviceId, sent, reply: null, error: answer.error, dropped };
    if (!dropped) this.take(answer, input);
    return { deviceId: this.deviceId, sent, reply: answer, dropped };
  }

  /** Syncs until nothing is queued, the feed has nothing more and no snapshot is under way. */
  async syncUntilQuiet(maxCalls = 50): Promise<SyncExchange[]> {
    const exchanges: SyncExchange[] = [];
    for (let call = 0; call < maxCalls; call++) {
      const exchange = await this.sync();
      exchanges.push(exchange);
      const reply = exchange.reply;
      if (reply && this.pending.length === 0 && !reply.hasMore && !this.snapshotToken) return exchanges;
    }
    throw new Error(`device ${this.deviceId} still not quiet after ${maxCalls} syncs`);
  }

  private take(reply: SyncReply, input: SyncInput) {
    const answered = new Set<string>();
    for (const outcome of reply.outcomes) {
      this.outcomes.set(outcome.changeId, outcome);
      answered.add(outcome.changeId);
    }
    this.pending = this.pending.filter((change) => !answered.has(change.changeId));
    // A re-seed's first page replaces the copy; its later pages (sent with the token) add to it.
    if (reply.reseed && !input.snapshotToken) {
      this.copy.clear();
      this.tombstones.clear();
    }
    for (const record of reply.changes) this.apply(record);
    if (reply.reseed) {
      this.snapshotToken = reply.reseed.nextSnapshotToken;
      if (this.snapshotToken === null) this.cursor = reply.cursor;
    } else {
      this.snapshotToken = null;
      this.cursor = reply.cursor;
    }
  }

  private apply(record: SyncRecordView) {
    const key = entityKey(record.entityType, record.entityId);
    // Records arrive in log order, but a copy never goes back to an older version.
    const held = this.copy.get(key)?.version ?? this.tombstones.get(key) ?? -1;
    if (held > record.version) return;
    if (record.op === 'DELETE' || record.data === null) {
      this.copy.delete(key);
      this.tombstones.set(key, record.version);
    } else {
      this.tombstones.delete(key);
      this.copy.set(key, { version: record.version, data: record.data });
    }
  }
}
