import type { SyncEntityType } from './change-types.ts';
import { winningAttempt } from './checkpoint-winner.ts';
import { type FeedSourceEvent, feedRecordsOf } from './feed-records.ts';

/**
 * The server's side of a conflict: what one entity holds now, folded from its stream's events, and
 * the times the conflict rules compare with a device's change (conflict-rules.ts).
 */
export interface EntityView {
  /** As entity-version.ts defines it. */
  version: number;
  value: Record<string, unknown>;
  /** When the value was made: the device's time when it came from a device, else the server's. */
  clientTime?: string;
  /** Per field (profile): when that field was last set, as `clientTime`. */
  fieldTimes?: Record<string, string>;
  /** Nothing a device sends can replace it (a passed checkpoint, a completed module). */
  final?: boolean;
  /**
   * Checkpoint answers only: every attempt's client time and answers (JSON, null once erased), so
   * a change retried after a crash is recognised as the attempt it already made.
   */
  submissions?: readonly { clientTime: string; answers: string | null }[];
}

type Fold = (events: readonly FeedSourceEvent[], entityId: string) => Omit<EntityView, 'version'>;

const str = (data: Record<string, unknown>, field: string): string | null => {
  const value = data[field];
  return typeof value === 'string' ? value : null;
};
const num = (data: Record<string, unknown>, field: string): number | null => {
  const value = data[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};
/** The device's time of an event when it carries one, else the server's. */
const timeOf = (event: FeedSourceEvent) => str(event.data, 'clientTime') ?? event.occurredAt;
const later = (a: string, b: string) => Date.parse(b) > Date.parse(a);

const PROFILE_FIELDS = ['displayName', 'bio'] as const;

const profile: Fold = (events) => {
  const value: Record<string, unknown> = { displayName: null, bio: null };
  const fieldTimes: Record<string, string> = {};
  let clientTime: string | undefined;
  for (const event of events) {
    const at = timeOf(event);
    // Registration names the person; a profile change carries only the fields it changed.
    const fields = event.type === 'UserRegistered' ? (['displayName'] as const) : PROFILE_FIELDS;
    for (const field of fields) {
      if (event.data[field] === undefined) continue;
      value[field] = str(event.data, field);
      fieldTimes[field] = at;
    }
    clientTime = at;
  }
  return { value, fieldTimes, ...(clientTime === undefined ? {} : { clientTime }) };
};

const moduleProgress: Fold = (events) => {
  let percent = 0;
  let completed = false;
  let clientTime: string | undefined;
  for (const event of events) {
    if (event.type === 'LearningModuleCompleted') completed = true;
    percent = Math.max(percent, num(event.data, 'percent') ?? 0);
    const at = timeOf(event);
    if (clientTime === undefined || later(clientTime, at)) clientTime = at;
  }
  return {
    value: { percent: completed ? 100 : percent, completed },
    final: completed,
    ...(clientTime === undefined ? {} : { clientTime }),
  };
};

interface Attempt {
  attemptId: string;
  clientTime: string;
  score: number | null;
  maxScore: number | null;
  passed: boolean | null;
}

const checkpointAnswer: Fold = (events) => {
  const attempts = new Map<string, Attempt>();
  const submissions: { clientTime: string; answers: string | null }[] = [];
  for (const event of events) {
    const attemptId = str(event.data, 'attemptId');
    if (attemptId === null) continue;
    if (event.type === 'CheckpointAttemptSubmitted') {
      const clientTime = timeOf(event);
      attempts.set(attemptId, {
        attemptId,
        clientTime,
        score: num(event.data, 'score'),
        maxScore: num(event.data, 'maxScore'),
        passed: typeof event.data.passed === 'boolean' ? event.data.passed : null,
      });
      submissions.push({ clientTime, answers: str(event.data, 'answers') });
    } else {
      // Graded: a mentor's points for the reflections make the attempt's score and verdict.
      const attempt = attempts.get(attemptId);
      if (attempt === undefined) continue;
      attempts.set(attemptId, {
        ...attempt,
        score: num(event.data, 'score') ?? attempt.score,
        passed: typeof event.data.passed === 'boolean' ? event.data.passed : attempt.passed,
      });
    }
  }
  const all = [...attempts.values()];
  const winner = winningAttempt(all);
  if (winner === undefined) return { value: { attempts: 0 }, submissions };
  return {
    value: { ...winner, attempts: all.length },
    clientTime: winner.clientTime,
    final: winner.passed === true,
    submissions,
  };
};

/** The membership's status after each event, as the membership aggregate folds it. */
const MEMBERSHIP_STATUS: Readonly<Record<string, string>> = {
  CommunityMemberJoined: 'member',
  CommunityJoinRequested: 'requested',
  CommunityMemberInvited: 'invited',
  CommunityJoinRequestDeclined: 'none',
  CommunityInvitationDeclined: 'none',
  CommunityMemberUnbanned: 'none',
  CommunityMemberLeft: 'left',
  CommunityMemberBanned: 'banned',
};

const membership: Fold = (events) => {
  let status = 'none';
  for (const event of events) status = MEMBERSHIP_STATUS[event.type] ?? status;
  return { value: { status }, clientTime: events.at(-1)?.occurredAt };
};

const communityPost: Fold = (events) => {
  const value: Record<string, unknown> = { title: null, body: null, status: 'active' };
  for (const event of events) {
    switch (event.type) {
      case 'CommunityThreadStarted':
      case 'CommunityReplyPosted':
      case 'CommunityPostEdited':
        value.title = str(event.data, 'title');
        value.body = str(event.data, 'body');
        break;
      case 'CommunityPostDeleted':
      case 'CommunityPostRemoved':
        Object.assign(value, {
          title: null,
          body: null,
          status: event.type === 'CommunityPostDeleted' ? 'deleted' : 'removed',
        });
        break;
    }
  }
  return { value, clientTime: events.at(-1)?.occurredAt };
};

const chatMessage: Fold = (events) => {
  const value: Record<string, unknown> = { text: null, status: 'active' };
  for (const event of events) {
    if (event.type === 'ChatMessageDeleted') Object.assign(value, { text: null, status: 'deleted' });
    else value.text = str(event.data, 'text');
  }
  return { value, clientTime: events.at(-1)?.occurredAt };
};

const syncConflict: Fold = (events) => {
  const value: Record<string, unknown> = { status: 'open', resolution: null };
  for (const event of events) {
    if (event.type === 'SyncConflictResolved') {
      Object.assign(value, { status: 'resolved', resolution: str(event.data, 'resolution') });
    }
  }
  return { value, clientTime: events.at(-1)?.occurredAt };
};

const FOLDS: Readonly<Record<SyncEntityType, Fold | null>> = {
  profile,
  moduleProgress,
  checkpointAnswer,
  membership,
  communityPost,
  chatMessage,
  syncConflict,
  // An erasure is not an entity with a value.
  scope: null,
};

/**
 * What the server holds of one entity, from the events of its stream (any others on the stream are
 * skipped: only the events the feed maps to this entity count); null when it has none.
 */
export function viewOf(
  entityType: SyncEntityType,
  events: readonly FeedSourceEvent[],
  entityId: string,
): EntityView | null {
  const fold = FOLDS[entityType];
  if (fold === null) return null;
  const id = entityId.toLowerCase();
  let version = -1;
  const relevant = events.filter((event) => {
    const records = feedRecordsOf(event).filter(
      (record) => record.entityType === entityType && record.entityId.toLowerCase() === id,
    );
    for (const record of records) version = Math.max(version, record.version);
    return records.length > 0;
  });
  if (relevant.length === 0) return null;
  const view = fold(relevant, id);
  // exactOptionalPropertyTypes: an absent time stays absent rather than undefined.
  if (view.clientTime === undefined) delete view.clientTime;
  return { version, ...view };
}
