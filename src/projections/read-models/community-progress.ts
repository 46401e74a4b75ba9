import type { EventCodec } from '../../commands/event-codec.ts';
import { type AttemptEvent, attemptEventCatalogue } from '../../domain/communities/attempt-events.ts';
import { type ProgressEventOf, progressEventCatalogue } from '../../domain/communities/progress-events.ts';
import { localDay, withActiveDay } from '../../domain/communities/progress-streaks.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import {
  eraseListedRows,
  type KeyLists,
  keyCountRow,
  keyListTables,
  listKey,
} from './community-key-lists.ts';
import { occurredAt } from './occurred-at.ts';

export const COMMUNITY_PROGRESS_PROJECTION = 'community_progress';
export const PATH_PROGRESS = 'community_path_progress';
export const ATTEMPTS = 'community_attempts';
export const CHECKPOINT_RESULTS = 'community_checkpoint_results';
export const MODULE_COMPLETIONS = 'community_module_completions';
export const MODULE_PROGRESS = 'community_module_progress';
const KEYS: KeyLists = { lists: 'community_progress_key_lists', counts: 'community_progress_key_counts' };

/** H1's event: its ids are never encrypted, so it is read from the raw data without the catalogue. */
const COMMUNITY_ERASED = 'CommunityErased';

/**
 * Learners' progress, keyed by community first. Per learner and path: modules done, distinct
 * checkpoints passed and streaks (days by the learner's calendar, see progress-streaks.ts); every
 * attempt (scores and outcomes, never the answers: those stay in the learner's encrypted events);
 * per learner and checkpoint the best result; which modules each learner completed; and per
 * learner and module the highest percent reached (100 once completed).
 * `current_streak_days` is the run ending at `last_active_day`: readers count it as 0 once a day
 * was missed (`currentStreakAt`).
 */
export function communityProgressProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: COMMUNITY_PROGRESS_PROJECTION,
    // 2: attempts indexed by attempt id alone (an attempt is looked up without its community);
    // erasure through the shared key lists (community-key-lists.ts), which no longer read each row.
    // 3: the highest percent per learner and module (LearningModuleProgressed, offline sync).
    version: 3,
    eventTypes: [
      ...Object.keys(attemptEventCatalogue),
      ...Object.keys(progressEventCatalogue),
      COMMUNITY_ERASED,
    ],
    tables: {
      [PATH_PROGRESS]: {
        columns: `community_id uuid not null, path_id uuid not null, user_id uuid not null,
          modules_done int not null, checkpoints_passed int not null, attempts int not null,
          current_streak_days int not null, longest_streak_days int not null, last_active_day date,
          active_days jsonb not null, updated_at timestamptz not null`,
        primaryKey: ['community_id', 'path_id', 'user_id'],
        indexes: ['(community_id, user_id)'],
      },
      [ATTEMPTS]: {
        columns: `community_id uuid not null, attempt_id uuid not null, checkpoint_id uuid not null,
          path_id uuid not null, module_id uuid not null, user_id uuid not null, attempt_number int not null,
          checkpoint_version int not null, score real not null, max_score real not null,
          pass_mark real not null, passed boolean, feedback jsonb not null, client_time text not null,
          submitted_at timestamptz not null, graded_by uuid, graded_at timestamptz, position bigint not null`,
        primaryKey: ['community_id', 'attempt_id'],
        indexes: [
          '(community_id, user_id, checkpoint_id, attempt_number)',
          '(community_id, submitted_at, attempt_id) where passed is null',
          '(attempt_id)',
        ],
      },
      [CHECKPOINT_RESULTS]: {
        columns: `community_id uuid not null, checkpoint_id uuid not null, user_id uuid not null,
          path_id uuid not null, attempts int not null, best_score real not null, max_score real not null,
          passed boolean not null, passed_at timestamptz, updated_at timestamptz not null`,
        primaryKey: ['community_id', 'checkpoint_id', 'user_id'],
      },
      [MODULE_COMPLETIONS]: {
        columns: `community_id uuid not null, path_id uuid not null, user_id uuid not null,
          module_id uuid not null, client_time text not null, completed_at timestamptz not null`,
        primaryKey: ['community_id', 'path_id', 'user_id', 'module_id'],
      },
      [MODULE_PROGRESS]: {
        columns: `community_id uuid not null, path_id uuid not null, user_id uuid not null,
          module_id uuid not null, percent int not null, completed boolean not null,
          client_time text not null, updated_at timestamptz not null`,
        primaryKey: ['community_id', 'path_id', 'user_id', 'module_id'],
      },
      ...keyListTables(KEYS),
    },
    prefetch: (events) => events.flatMap(prefetchOf),
    async apply(recorded, writer) {
      if (recorded.type === COMMUNITY_ERASED) {
        const communityId = communityIdOf(recorded);
        if (communityId) await eraseListedRows(writer, KEYS, communityId);
        return;
      }
      const at = occurredAt(recorded);
      if (recorded.type === 'LearningModuleCompleted' || recorded.type === 'LearningModuleProgressed') {
        const decoded = await codec.decode(progressEventCatalogue, recorded);
        if (decoded?.event.type === 'LearningModuleCompleted')
          await applyCompletion(decoded.event, writer, at);
        if (decoded?.event.type === 'LearningModuleProgressed')
          await applyProgress(decoded.event, writer, at);
        return;
      }
      const decoded = await codec.decode(attemptEventCatalogue, recorded);
      if (decoded) await applyAttemptEvent(decoded.event, writer, at, recorded.position.toString());
    },
  };
}

function communityIdOf(recorded: RecordedEvent): string | null {
  const data = recorded.data as { communityId?: unknown } | null;
  return typeof data?.communityId === 'string' ? data.communityId.toLowerCase() : null;
}

const rawId = (recorded: RecordedEvent, name: string): string | null => {
  const data = recorded.data;
  const value = typeof data === 'object' && data !== null ? Reflect.get(data, name) : undefined;
  return typeof value === 'string' ? value.toLowerCase() : null;
};

/**
 * The rows an event will read, from its raw data (ids are never encrypted): without them every
 * event cost a round trip per row it reads. A graded attempt's path is known only from its
 * attempt row, so that path's progress is read when a grade first passes it.
 */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const communityId = rawId(recorded, 'communityId');
  if (communityId === null) return [];
  const counts = keyCountRow(KEYS, communityId);
  if (recorded.type === COMMUNITY_ERASED) return [counts];
  const userId = rawId(recorded, 'userId');
  const pathId = rawId(recorded, 'pathId');
  if (userId === null) return [];
  const rows: { table: string; key: Row }[] = [counts];
  if (pathId !== null) {
    rows.push({ table: PATH_PROGRESS, key: { community_id: communityId, path_id: pathId, user_id: userId } });
  }
  const moduleId = rawId(recorded, 'moduleId');
  if (pathId !== null && moduleId !== null) {
    const key = { community_id: communityId, path_id: pathId, user_id: userId, module_id: moduleId };
    if (recorded.type === 'LearningModuleCompleted') rows.push({ table: MODULE_COMPLETIONS, key });
    if (recorded.type === 'LearningModuleCompleted' || recorded.type === 'LearningModuleProgressed') {
      rows.push({ table: MODULE_PROGRESS, key });
    }
  }
  const attemptId = rawId(recorded, 'attemptId');
  if (attemptId !== null)
    rows.push({ table: ATTEMPTS, key: { community_id: communityId, attempt_id: attemptId } });
  const checkpointId = rawId(recorded, 'checkpointId');
  if (checkpointId !== null) {
    rows.push({
      table: CHECKPOINT_RESULTS,
      key: { community_id: communityId, checkpoint_id: checkpointId, user_id: userId },
    });
  }
  return rows;
}

/** Writes a row, listing its key for erasure when it is new. */
async function put(writer: ReadModelWriter, table: string, key: Row, known: Row | undefined, row: Row) {
  if (!known) await listKey(writer, KEYS, String(key.community_id), table, key);
  writer.upsert(table, { ...key, ...row });
}

interface PathActivity {
  communityId: string;
  pathId: string;
  userId: string;
  at: string;
  day?: string;
  modulesDone?: number;
  checkpointsPassed?: number;
  attempts?: number;
}

async function touchPath(writer: ReadModelWriter, activity: PathActivity): Promise<void> {
  const key = {
    community_id: activity.communityId,
    path_id: activity.pathId,
    user_id: activity.userId,
  };
  const known = await writer.get(PATH_PROGRESS, key);
  const days = Array.isArray(known?.active_days) ? (known.active_days as string[]) : [];
  const longest = Number(known?.longest_streak_days ?? 0);
  const streaks =
    activity.day === undefined
      ? {
          activeDays: days,
          currentStreakDays: Number(known?.current_streak_days ?? 0),
          longestStreakDays: longest,
          lastActiveDay: (known?.last_active_day as string | null | undefined) ?? null,
        }
      : withActiveDay(days, longest, activity.day);
  await put(writer, PATH_PROGRESS, key, known, {
    modules_done: Number(known?.modules_done ?? 0) + (activity.modulesDone ?? 0),
    checkpoints_passed: Number(known?.checkpoints_passed ?? 0) + (activity.checkpointsPassed ?? 0),
    attempts: Number(known?.attempts ?? 0) + (activity.attempts ?? 0),
    current_streak_days: streaks.currentStreakDays,
    longest_streak_days: streaks.longestStreakDays,
    last_active_day: streaks.lastActiveDay,
    active_days: streaks.activeDays,
    updated_at: activity.at,
  });
}

async function applyCompletion(
  event: ProgressEventOf<'LearningModuleCompleted'>,
  writer: ReadModelWriter,
  at: string,
): Promise<void> {
  const { communityId, pathId, moduleId, userId, clientTime } = lower(event.data);
  const key = { community_id: communityId, path_id: pathId, user_id: userId, module_id: moduleId };
  const known = await writer.get(MODULE_COMPLETIONS, key);
  // The decider completes a module once; a second event (a rebuild of a hand-made history) counts once.
  if (known) return;
  await put(writer, MODULE_COMPLETIONS, key, known, { client_time: clientTime, completed_at: at });
  await putModulePercent(writer, key, 100, true, clientTime, at);
  await touchPath(writer, { communityId, pathId, userId, at, day: localDay(clientTime), modulesDone: 1 });
}

/**
 * A new highest percent in a module. Recording progress is not a streak day (only completing a
 * module or submitting an attempt is, see docs/learning-progress-and-trust.md).
 */
async function applyProgress(
  event: ProgressEventOf<'LearningModuleProgressed'>,
  writer: ReadModelWriter,
  at: string,
): Promise<void> {
  const { communityId, pathId, moduleId, userId, clientTime, percent } = lower(event.data);
  const key = { community_id: communityId, path_id: pathId, user_id: userId, module_id: moduleId };
  await putModulePercent(writer, key, percent, false, clientTime, at);
}

/** Keeps the highest percent (the decider records only rises; a hand-made history may not). */
async function putModulePercent(
  writer: ReadModelWriter,
  key: Row,
  percent: number,
  completed: boolean,
  clientTime: string,
  at: string,
): Promise<void> {
  const known = await writer.get(MODULE_PROGRESS, key);
  const wasCompleted = known?.completed === true;
  const highest = Number(known?.percent ?? -1);
  if (known && percent <= highest && (wasCompleted || !completed)) return;
  await put(writer, MODULE_PROGRESS, key, known, {
    percent: Math.max(highest, percent),
    completed: wasCompleted || completed,
    client_time: clientTime,
    updated_at: at,
  });
}

async function applyAttemptEvent(
  event: AttemptEvent,
  writer: ReadModelWriter,
  at: string,
  position: string,
): Promise<void> {
  if (event.type === 'CheckpointAttemptSubmitted') {
    const data = lower(event.data);
    const key = { community_id: data.communityId, attempt_id: data.attemptId };
    await put(writer, ATTEMPTS, key, await writer.get(ATTEMPTS, key), {
      checkpoint_id: data.checkpointId,
      path_id: data.pathId,
      module_id: data.moduleId,
      user_id: data.userId,
      attempt_number: data.attemptNumber,
      checkpoint_version: data.checkpointVersion,
      score: data.score,
      max_score: data.maxScore,
      pass_mark: data.passMark,
      passed: data.passed,
      feedback: data.feedback,
      client_time: data.clientTime,
      submitted_at: at,
      graded_by: null,
      graded_at: null,
      position,
    });
    const newlyPassed = await recordResult(writer, {
      communityId: data.communityId,
      checkpointId: data.checkpointId,
      userId: data.userId,
      pathId: data.pathId,
      score: data.score,
      maxScore: data.maxScore,
      passed: data.passed === true,
      attempt: true,
      at,
    });
    await touchPath(writer, {
      communityId: data.communityId,
      pathId: data.pathId,
      userId: data.userId,
      at,
      day: localDay(data.clientTime),
      attempts: 1,
      checkpointsPassed: newlyPassed ? 1 : 0,
    });
    return;
  }
  const data = lower(event.data);
  const key = { community_id: data.communityId, attempt_id: data.attemptId };
  const attempt = await writer.get(ATTEMPTS, key);
  if (!attempt) return;
  const graded = new Map(data.grades.map((grade) => [grade.questionId, grade.points]));
  const feedback = (attempt.feedback as { questionId: string; points: number; outcome: string }[]).map(
    (entry) => {
      const points = graded.get(entry.questionId);
      return points === undefined ? entry : { ...entry, points, outcome: 'graded' };
    },
  );
  writer.upsert(ATTEMPTS, {
    ...attempt,
    score: data.score,
    passed: data.passed,
    feedback,
    graded_by: data.gradedBy,
    graded_at: at,
  });
  const pathId = String(attempt.path_id);
  const newlyPassed = await recordResult(writer, {
    communityId: data.communityId,
    checkpointId: data.checkpointId,
    userId: data.userId,
    pathId,
    score: data.score,
    maxScore: Number(attempt.max_score),
    passed: data.passed,
    attempt: false,
    at,
  });
  if (newlyPassed) {
    await touchPath(writer, {
      communityId: data.communityId,
      pathId,
      userId: data.userId,
      at,
      checkpointsPassed: 1,
    });
  }
}

/** Updates the learner's best result at a checkpoint; true when this is their first pass of it. */
async function recordResult(
  writer: ReadModelWriter,
  result: {
    communityId: string;
    checkpointId: string;
    userId: string;
    pathId: string;
    score: number;
    maxScore: number;
    passed: boolean;
    attempt: boolean;
    at: string;
  },
): Promise<boolean> {
  const key = {
    community_id: result.communityId,
    checkpoint_id: result.checkpointId,
    user_id: result.userId,
  };
  const known = await writer.get(CHECKPOINT_RESULTS, key);
  const wasPassed = known?.passed === true;
  await put(writer, CHECKPOINT_RESULTS, key, known, {
    path_id: result.pathId,
    attempts: Number(known?.attempts ?? 0) + (result.attempt ? 1 : 0),
    best_score: Math.max(Number(known?.best_score ?? 0), result.score),
    max_score: result.maxScore,
    passed: wasPassed || result.passed,
    passed_at: wasPassed ? known?.passed_at : result.passed ? result.at : null,
    updated_at: result.at,
  });
  return result.passed && !wasPassed;
}

/** Ids lower-cased, as every table of this context keys them. */
function lower<Data extends Record<string, unknown>>(data: Data): Data {
  const out: Record<string, unknown> = { ...data };
  for (const field of [
    'communityId',
    'pathId',
    'moduleId',
    'checkpointId',
    'userId',
    'attemptId',
    'gradedBy',
  ]) {
    const value = out[field];
    if (typeof value === 'string') out[field] = value.toLowerCase();
  }
  return out as Data;
}
