import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import type { AttemptEventOf } from '../../domain/communities/attempt-events.ts';
import { communityPersonOf } from '../../domain/communities/community-values.ts';
import { can } from '../../domain/communities/policy.ts';
import { NO_TRUST_FACTS, trustScore } from '../../domain/communities/trust.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { gradeCheckpointReflection, submitCheckpointAttempt } from '../../services/communities/attempts.ts';
import { completeLearningModule, recordModuleProgress } from '../../services/communities/progress.ts';
import { isMentorOf } from '../../services/communities/progress-facts.ts';
import { requireReadPermission } from '../../services/communities/read-access.ts';
import { attemptNotFound, unseenAsMissing } from '../../services/communities/unseen-as-missing.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { connection, pageOf } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import type { CommunityView } from './community-mappers.ts';
import { standingIn } from './community-standing.ts';
import {
  type AttemptRow,
  attemptsAwaitingGrading,
  findAttempt,
  learnerPathProgress,
  pathAggregates,
} from './progress-queries.ts';
import {
  communityTrustOf,
  LEADERBOARD_CURSOR_PARTS,
  leaderboard,
  leaderboardCursor,
  overallTrustOf,
  trustEvents,
} from './trust-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: never, args: Args, context: GraphQLContext) => Promise<unknown>;

const id = z.uuid().transform((value) => value.toLowerCase());
const memberArgs = z.object({ communityId: id, userId: id });
const learnerArgs = z.object({ communityId: id, userId: id, pathId: id });
const pathArgs = z.object({ pathId: id });
const attemptArgs = z.object({ id });

/**
 * Progress and trust. Reads judge access from the `communities` read model
 * (`requireReadPermission`); someone else's progress or trust is for moderators and the owner,
 * and for the person's mentor as the mentorship context records it (`isMentorOf`: a mentee the
 * mentor holds now), who must belong to the community too. Mutations go through the use cases,
 * which judge from the streams.
 */
export function progressResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    myTrust: async (_root, _args, { scope }) =>
      overallTrustOf(scope.services.pool, await readerOf(scope), now(scope)),
    memberTrust: async (_root, args, { scope }) => {
      const { communityId, userId } = memberArgs.parse(args);
      await requireSeeing(scope, communityId, userId, 'trust.view_explanations');
      const trust = await communityTrustOf(scope.services.pool, communityId, userId, now(scope));
      if (trust === null) throw notFound('MEMBER_NOT_FOUND', 'No such member of this community');
      return trust;
    },
    trustExplanation: async (_root, args, { scope }) => {
      const { communityId, userId } = memberArgs.parse({
        communityId: args.communityId,
        userId: args.userId,
      });
      await requireReadPermission(
        scope.services.pool,
        communityId,
        await readerOf(scope),
        'trust.view_explanations',
      );
      const page = pageOf(args, 1);
      const rows = await trustEvents(scope.services.pool, communityId, userId, page);
      return connection(
        rows,
        page,
        undefined,
        (row) => [row.position],
        (row) => ({
          eventId: row.event_id,
          eventType: row.event_type,
          streamName: row.stream_name,
          streamRevision: row.stream_revision,
          position: row.position,
          component: row.component,
          change: row.change,
          occurredAt: row.occurred_at.toISOString(),
        }),
      );
    },
    checkpointAttempt: async (_root, args, { scope }) => {
      const { id: attemptId } = attemptArgs.parse(args);
      const row = await findAttempt(scope.services.pool, attemptId);
      // Attempts are private: whoever may not see one is told there is none.
      if (row === null) throw attemptNotFound();
      await requireSeeingAttempt(scope, row);
      return attemptRowView(row);
    },
    learnerProgress: async (_root, args, { scope }) => {
      const { communityId, userId, pathId } = learnerArgs.parse(args);
      // One learner's progress is theirs and their mentor's; moderators see the aggregates only.
      await requireSeeing(scope, communityId, userId, null);
      return learnerPathProgress(scope.services.pool, communityId, pathId, userId, now(scope));
    },
  };

  const mutation: Record<string, Resolver> = {
    completeLearningModule: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const module = await completeLearningModule(scope.communities, caller, args);
      const userId = communityPersonOf(caller.actor).toLowerCase();
      return learnerPathProgress(scope.services.pool, module.communityId, module.pathId, userId, now(scope));
    },
    recordModuleProgress: async (_root, args, { scope }) =>
      recordModuleProgress(scope.communities, await callerFor(scope, 'write'), args.input),
    submitCheckpointAttempt: async (_root, args, { scope }) =>
      attemptView(await submitCheckpointAttempt(scope.communities, await callerFor(scope, 'write'), args)),
    gradeCheckpointReflection: async (_root, args, { scope }) => {
      const graded = await gradeCheckpointReflection(
        scope.communities,
        await callerFor(scope, 'write'),
        args,
      );
      const row = await findAttempt(scope.services.pool, graded.attemptId);
      if (row === null) throw attemptNotFound();
      return attemptRowView(row);
    },
  };

  return {
    Query: query,
    Mutation: mutation,
    Community: {
      myTrust: async (community: CommunityView, _args: Args, { scope }: GraphQLContext) => {
        const { readerId } = standingIn(community, 'community.read');
        const at = now(scope);
        const trust = await communityTrustOf(scope.services.pool, community.id, readerId, at);
        return trust ?? { ...trustScore(NO_TRUST_FACTS, at), at: at.toISOString() };
      },
      myProgress: async (community: CommunityView, args: Args, { scope }: GraphQLContext) => {
        const { pathId } = pathArgs.parse(args);
        const { readerId } = standingIn(community, 'community.read');
        return learnerPathProgress(scope.services.pool, community.id, pathId, readerId, now(scope));
      },
      progressAggregates: async (community: CommunityView, args: Args, { scope }: GraphQLContext) => {
        standingIn(community, 'progress.view_aggregates');
        const page = pageOf(args, 1);
        const rows = await pathAggregates(scope.services.pool, community.id, page);
        return connection(
          rows,
          page,
          undefined,
          (row) => [row.path_id],
          (row) => ({
            pathId: row.path_id,
            learners: row.learners,
            averageModulesDone: row.average_modules_done,
            learnersWithACheckpointPassed: row.learners_with_a_checkpoint_passed,
            checkpointsPassed: row.checkpoints_passed,
            activeLastSevenDays: row.active_last_seven_days,
            longestStreakDays: row.longest_streak_days,
          }),
        );
      },
      attemptsAwaitingGrading: async (community: CommunityView, args: Args, { scope }: GraphQLContext) => {
        standingIn(community, 'checkpoint.grade');
        const page = pageOf(args, 2);
        const rows = await attemptsAwaitingGrading(scope.services.pool, community.id, page);
        return connection(
          rows,
          page,
          undefined,
          (row) => [row.submitted_at.toISOString(), row.attempt_id],
          attemptRowView,
        );
      },
      leaderboard: async (community: CommunityView, args: Args, { scope }: GraphQLContext) => {
        const { readerId, role } = standingIn(community, 'community.read');
        // Members see who ranks where; a score is the member's own, or for whoever may see
        // explanations (as memberTrust: moderators and the owner).
        const seesScores = can(role, 'trust.view_explanations');
        const page = pageOf(args, LEADERBOARD_CURSOR_PARTS);
        const { rows } = await leaderboard(scope.services.pool, community.id, page, now(scope));
        return connection(rows, page, undefined, leaderboardCursor, (row) => ({
          userId: row.user_id,
          rank: row.rank,
          score: seesScores || row.user_id === readerId ? Number(row.score) : null,
        }));
      },
    },
  };
}

const now = (scope: RequestScope) => nowFrom(scope.communities);

/**
 * The learner, whoever grades in the attempt's community, and the learner's mentor (a member too).
 * To anyone else the attempt does not exist (ATTEMPT_NOT_FOUND), as for a made-up id.
 */
async function requireSeeingAttempt(scope: RequestScope, row: AttemptRow): Promise<void> {
  const readerId = await readerOf(scope);
  const { role } = await unseenAsMissing(
    requireReadPermission(scope.services.pool, row.community_id, readerId, 'community.read'),
    attemptNotFound,
  );
  if (readerId === row.user_id || can(role, 'checkpoint.grade')) return;
  if (!(await isMentorOf(scope.communities, readerId, row.user_id))) throw attemptNotFound();
}

/** The person reading: a user, or the owner of an API key acting for them. */
async function readerOf(scope: RequestScope): Promise<string> {
  return communityPersonOf((await callerFor(scope, 'read')).actor).toLowerCase();
}

/**
 * Whether the reader may see `userId`'s progress or trust in a community: themself; anyone whose
 * role holds `permission` there (none for one learner's progress); or the person's mentor (who
 * must be a member too). Anyone else in the community: FORBIDDEN NOT_THEIR_MENTOR.
 */
async function requireSeeing(
  scope: RequestScope,
  communityId: string,
  userId: string,
  permission: 'trust.view_explanations' | null,
): Promise<void> {
  const readerId = await readerOf(scope);
  const { role } = await requireReadPermission(scope.services.pool, communityId, readerId, 'community.read');
  if (readerId === userId || (permission !== null && can(role, permission))) return;
  if (await isMentorOf(scope.communities, readerId, userId)) return;
  throw forbidden(
    'NOT_THEIR_MENTOR',
    permission === null
      ? 'Only the learner and their mentor see this; moderators see the community’s aggregates'
      : 'Only the member, their mentor and moderators see this',
  );
}

const outcome = (value: string) => value.toUpperCase();

function attemptView(data: AttemptEventOf<'CheckpointAttemptSubmitted'>['data']) {
  return {
    id: data.attemptId,
    communityId: data.communityId,
    pathId: data.pathId,
    moduleId: data.moduleId,
    checkpointId: data.checkpointId,
    userId: data.userId,
    attemptNumber: data.attemptNumber,
    score: data.score,
    maxScore: data.maxScore,
    passMark: data.passMark,
    passed: data.passed,
    feedback: data.feedback.map((entry) => ({ ...entry, outcome: outcome(entry.outcome) })),
    clientTime: data.clientTime,
    submittedAt: data.submittedAt,
  };
}

function attemptRowView(row: AttemptRow) {
  return {
    id: row.attempt_id,
    communityId: row.community_id,
    pathId: row.path_id,
    moduleId: row.module_id,
    checkpointId: row.checkpoint_id,
    userId: row.user_id,
    attemptNumber: row.attempt_number,
    score: row.score,
    maxScore: row.max_score,
    passMark: row.pass_mark,
    passed: row.passed,
    feedback: row.feedback.map((entry) => ({ ...entry, outcome: outcome(entry.outcome) })),
    clientTime: row.client_time,
    submittedAt: row.submitted_at.toISOString(),
  };
}
