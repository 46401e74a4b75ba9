import type pg from 'pg';
import { currentStreakAt } from '../../domain/communities/progress-streaks.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import type { Page } from '../pagination.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export interface AttemptRow {
  community_id: string;
  attempt_id: string;
  checkpoint_id: string;
  path_id: string;
  module_id: string;
  user_id: string;
  attempt_number: number;
  score: number;
  max_score: number;
  pass_mark: number;
  passed: boolean | null;
  feedback: { questionId: string; points: number; maxPoints: number; outcome: string }[];
  client_time: string;
  submitted_at: Date;
}

export async function findAttempt(pool: Queryable, attemptId: string): Promise<AttemptRow | null> {
  const { rows } = await pool.query<AttemptRow>(
    `select community_id, attempt_id, checkpoint_id, path_id, module_id, user_id, attempt_number, score,
            max_score, pass_mark, passed, feedback, client_time, submitted_at
       from community_attempts where attempt_id = $1::uuid`,
    [attemptId],
  );
  return rows[0] ?? null;
}

export interface ProgressView {
  communityId: string;
  pathId: string;
  userId: string;
  modulesDone: number;
  completedModuleIds: string[];
  moduleProgress: {
    communityId: string;
    pathId: string;
    moduleId: string;
    percent: number;
    completed: boolean;
  }[];
  checkpointsPassed: number;
  attempts: number;
  currentStreakDays: number;
  longestStreakDays: number;
  lastActiveDay: string | null;
  checkpoints: {
    checkpointId: string;
    attempts: number;
    bestScore: number;
    maxScore: number;
    passed: boolean;
    passedAt: string | null;
  }[];
}

/**
 * One learner's progress through one path, in four reads keyed by (community, path, learner); a
 * learner who has done nothing there yet has zeros. The current streak is judged at `today`.
 */
export async function learnerPathProgress(
  pool: Queryable,
  communityId: string,
  pathId: string,
  userId: string,
  today: Date,
): Promise<ProgressView> {
  const [progress, modules, percents, checkpoints] = await Promise.all([
    pool.query<{
      modules_done: number;
      checkpoints_passed: number;
      attempts: number;
      current_streak_days: number;
      longest_streak_days: number;
      last_active_day: string | null;
    }>(
      `select modules_done, checkpoints_passed, attempts, current_streak_days, longest_streak_days,
              to_char(last_active_day, 'YYYY-MM-DD') as last_active_day
         from community_path_progress where community_id = $1 and path_id = $2 and user_id = $3`,
      [communityId, pathId, userId],
    ),
    pool.query<{ module_id: string }>(
      `select module_id from community_module_completions
        where community_id = $1 and path_id = $2 and user_id = $3 order by completed_at, module_id`,
      [communityId, pathId, userId],
    ),
    pool.query<{ module_id: string; percent: number; completed: boolean }>(
      `select module_id, percent, completed from community_module_progress
        where community_id = $1 and path_id = $2 and user_id = $3 order by module_id`,
      [communityId, pathId, userId],
    ),
    pool.query<{
      checkpoint_id: string;
      attempts: number;
      best_score: number;
      max_score: number;
      passed: boolean;
      passed_at: Date | null;
    }>(
      `select checkpoint_id, attempts, best_score, max_score, passed, passed_at
         from community_checkpoint_results
        where community_id = $1 and user_id = $3 and path_id = $2 order by checkpoint_id`,
      [communityId, pathId, userId],
    ),
  ]);
  const row = progress.rows[0];
  return {
    communityId,
    pathId,
    userId,
    modulesDone: row?.modules_done ?? 0,
    completedModuleIds: modules.rows.map((entry) => entry.module_id),
    moduleProgress: percents.rows.map((entry) => ({
      communityId,
      pathId,
      moduleId: entry.module_id,
      percent: entry.percent,
      completed: entry.completed,
    })),
    checkpointsPassed: row?.checkpoints_passed ?? 0,
    attempts: row?.attempts ?? 0,
    currentStreakDays: row ? currentStreakAt(row.last_active_day, row.current_streak_days, today) : 0,
    longestStreakDays: row?.longest_streak_days ?? 0,
    lastActiveDay: row?.last_active_day ?? null,
    checkpoints: checkpoints.rows.map((entry) => ({
      checkpointId: entry.checkpoint_id,
      attempts: entry.attempts,
      bestScore: entry.best_score,
      maxScore: entry.max_score,
      passed: entry.passed,
      passedAt: entry.passed_at?.toISOString() ?? null,
    })),
  };
}

export interface AggregateRow {
  path_id: string;
  learners: number;
  average_modules_done: number;
  learners_with_a_checkpoint_passed: number;
  checkpoints_passed: number;
  active_last_seven_days: number;
  longest_streak_days: number;
}

/** Per path of the community, over every learner with progress there; by path id, paged. */
export async function pathAggregates(
  pool: Queryable,
  communityId: string,
  page: Page,
): Promise<AggregateRow[]> {
  const after = page.after?.[0] ?? null;
  if (after !== null && !/^[0-9a-f-]{36}$/u.test(after)) {
    throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
  }
  const { rows } = await pool.query<AggregateRow>(
    `select path_id, count(*)::int as learners,
            round(avg(modules_done), 2)::float8 as average_modules_done,
            (count(*) filter (where checkpoints_passed > 0))::int as learners_with_a_checkpoint_passed,
            sum(checkpoints_passed)::int as checkpoints_passed,
            (count(*) filter (where last_active_day >= current_date - 7))::int as active_last_seven_days,
            max(longest_streak_days)::int as longest_streak_days
       from community_path_progress
      where community_id = $1 and ($2::uuid is null or path_id > $2::uuid)
      group by path_id order by path_id limit $3`,
    [communityId, after, page.first + 1],
  );
  return rows;
}

/** Attempts of the community awaiting a mentor's grading, oldest first (the grading queue). */
export async function attemptsAwaitingGrading(
  pool: Queryable,
  communityId: string,
  page: Page,
): Promise<AttemptRow[]> {
  const [submittedAt, attemptId] = page.after ?? [];
  if (
    page.after &&
    (Number.isNaN(Date.parse(submittedAt ?? '')) || !/^[0-9a-f-]{36}$/u.test(attemptId ?? ''))
  ) {
    throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
  }
  const { rows } = await pool.query<AttemptRow>(
    `select community_id, attempt_id, checkpoint_id, path_id, module_id, user_id, attempt_number, score,
            max_score, pass_mark, passed, feedback, client_time, submitted_at
       from community_attempts
      where community_id = $1 and passed is null
        and ($2::timestamptz is null or (submitted_at, attempt_id) > ($2::timestamptz, $3::uuid))
      order by submitted_at, attempt_id limit $4`,
    [communityId, submittedAt ?? null, attemptId ?? null, page.first + 1],
  );
  return rows;
}
