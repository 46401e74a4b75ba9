import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { personOf } from '../../domain/mentorship/session-policy.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import type { MentorshipDeps } from '../../services/mentorship/deps.ts';
import {
  addSessionNotes,
  cancelSession,
  endSession,
  loadSession,
  rateSession,
  scheduleSession,
  startSession,
} from '../../services/mentorship/sessions.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import {
  type MentorshipSessionView,
  mentorshipSessionCursor,
  notesOf,
  ratingsOf,
  toMentorshipSession,
} from './session-mappers.ts';
import { findMentorshipSession, listMentorshipSessions } from './session-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type SessionUseCase = (deps: MentorshipDeps, context: RequestContext, raw: unknown) => Promise<string>;

const sessionIdArgs = z.object({ id: z.uuid() });

export function mentorshipSessionResolvers(): IResolvers {
  /** Every mutation answers with the session as it is after the change. */
  const mutate =
    (useCase: SessionUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const sessionId = await useCase(scope.mentorship, caller, args);
      const session = await sessionView(scope, caller, sessionId);
      if (!session) throw notFound('SESSION_NOT_FOUND', 'No such mentorship session');
      return session;
    };

  /** Notes and rating comments are personal data: read (decrypted) from the session's own stream. */
  const fromStream =
    <Value>(
      pick: (session: NonNullable<Awaited<ReturnType<typeof loadSession>>>, readerId: string | null) => Value,
    ) =>
    async (view: MentorshipSessionView, _args: Args, { scope }: GraphQLContext) => {
      const caller = await callerFor(scope, 'read');
      const session = await loadSession(scope.mentorship, view.id);
      return session ? pick(session, personOf(caller.actor)) : [];
    };

  return {
    Query: {
      mentorshipSession: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'read');
        return sessionView(scope, caller, sessionIdArgs.parse(args).id);
      },
      mentorshipSessions: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'read');
        const { rows, page, total } = await listMentorshipSessions(scope.services.pool, caller.actor, args);
        return connection(rows, page, total, mentorshipSessionCursor, toMentorshipSession);
      },
    },
    Mutation: {
      scheduleSession: mutate(scheduleSession),
      startSession: mutate(startSession),
      endSession: mutate(endSession),
      cancelSession: mutate(cancelSession),
      rateSession: mutate(rateSession),
      addSessionNotes: mutate(addSessionNotes),
    },
    MentorshipSession: {
      myNotes: fromStream(notesOf),
      ratings: fromStream((session) => ratingsOf(session)),
    },
  };
}

async function sessionView(scope: RequestScope, caller: RequestContext, sessionId: string) {
  const row = await findMentorshipSession(scope.services.pool, caller.actor, sessionId);
  return row ? toMentorshipSession(row) : null;
}
