import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { personOf } from '../../domain/mentorship/mentor-profile-policy.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { upsertLearnerProfile, upsertMentorProfile } from '../../services/mentorship/profiles.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { toLearnerProfile, toMentorProfile } from './profile-mappers.ts';
import { findLearnerProfile, findMentorProfile } from './profile-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

const userIdArgs = z.object({ userId: z.uuid() });

/** Mentor profiles are for anyone signed in; a learner profile for its learner only. */
export function profileResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    myMentorProfile: async (_root, _args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const row = await findMentorProfile(scope.services.pool, personOf(caller.actor));
      return row ? toMentorProfile(row) : null;
    },
    myLearnerProfile: async (_root, _args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const row = await findLearnerProfile(scope.services.pool, personOf(caller.actor));
      return row ? toLearnerProfile(row) : null;
    },
    mentorProfile: async (_root, args, { scope }) => {
      await callerFor(scope, 'read');
      const row = await findMentorProfile(scope.services.pool, userIdArgs.parse(args).userId);
      return row ? toMentorProfile(row) : null;
    },
  };
  const mutation: Record<string, Resolver> = {
    upsertMentorProfile: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const mentorId = await upsertMentorProfile(scope.mentorship, caller, args);
      const row = await findMentorProfile(scope.services.pool, mentorId);
      if (!row) throw notFound('MENTOR_PROFILE_NOT_FOUND', 'The profile is not readable yet');
      return toMentorProfile(row);
    },
    upsertLearnerProfile: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const learnerId = await upsertLearnerProfile(scope.mentorship, caller, args);
      const row = await findLearnerProfile(scope.services.pool, learnerId);
      if (!row) throw notFound('LEARNER_PROFILE_NOT_FOUND', 'The profile is not readable yet');
      return toLearnerProfile(row);
    },
  };
  return { Query: query, Mutation: mutation };
}
