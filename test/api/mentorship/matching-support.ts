import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AggregateSpec } from '../../../src/commands/types.ts';
import type { MatchRequestCommand } from '../../../src/domain/mentorship/match-request-commands.ts';
import { matchRequestAggregate } from '../../../src/domain/mentorship/match-request-decider.ts';
import type { MentorProfileCommand } from '../../../src/domain/mentorship/mentor-profile-commands.ts';
import { mentorProfileAggregate } from '../../../src/domain/mentorship/mentor-profile-decider.ts';
import { matchRequestStream, mentorStream } from '../../../src/domain/mentorship/streams.ts';
import type { Actor, DomainEvent } from '../../../src/domain/shared/decider.ts';
import { createLogger } from '../../../src/logger.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { upsertLearnerProfile, upsertMentorProfile } from '../../../src/services/mentorship/profiles.ts';
import { execute, type ServiceDeps } from '../../../src/services/shared/command-context.ts';
import type { IdentityApp } from '../support/identity-app.ts';

/** What the matching tests share: commands issued through the real pipeline, then read models caught up. */

export const SAGA: Actor = { kind: 'system', process: 'matching' };

/** The pipeline's deps; `settle` waits until every read model shows the command's result. */
export function pipeline(api: IdentityApp): ServiceDeps & { pool: pg.Pool } {
  const { store, codec, pool, bus } = api.runtime;
  return {
    store,
    codec,
    pool,
    log: createLogger('silent'),
    settle: (position) => waitForPosition(pool, bus, position, { timeoutMs: 5_000 }),
  };
}

async function issue<Command, Event extends DomainEvent, State>(
  api: IdentityApp,
  spec: AggregateSpec<Command, Event, State>,
  stream: string,
  actor: Actor,
  command: Command,
  now = new Date(),
) {
  const commandId = randomUUID();
  return execute(pipeline(api), spec, stream, { commandId, actor, now, command });
}

/** A match request command as the saga issues it (system actor), or as `actor` when given. */
export const onRequest = (
  api: IdentityApp,
  requestId: string,
  command: MatchRequestCommand,
  actor: Actor = SAGA,
) => issue(api, matchRequestAggregate, matchRequestStream(requestId), actor, command);

export const onMentor = (
  api: IdentityApp,
  mentorId: string,
  command: MentorProfileCommand,
  actor: Actor = SAGA,
) => issue(api, mentorProfileAggregate, mentorStream(mentorId), actor, command);

const user = (userId: string): Actor => ({ kind: 'user', userId, role: 'user' });
const context = (userId: string) => ({ actor: user(userId), correlationId: randomUUID() });

export interface MentorSpec {
  subjects?: { subject: string; level: 'beginner' | 'intermediate' | 'advanced' | 'expert' }[];
  styles?: string[];
  languages?: string[];
  availability?: { day: number; start: string; end: string }[];
  timeZone?: string;
  capacity?: number;
  accepting?: boolean;
}

/** A mentor profile written as the mentor would (through the use case), default: TypeScript expert in Berlin. */
export async function mentorProfile(api: IdentityApp, mentorId: string, spec: MentorSpec = {}) {
  await upsertMentorProfile(pipeline(api), context(mentorId), {
    input: {
      subjects: spec.subjects ?? [{ subject: 'typescript', level: 'expert' }],
      styles: spec.styles ?? ['socratic'],
      languages: spec.languages ?? ['en'],
      availability: spec.availability ?? [{ day: 0, start: '18:00', end: '20:00' }],
      timeZone: spec.timeZone ?? 'Europe/Berlin',
      capacity: spec.capacity ?? 3,
      accepting: spec.accepting ?? true,
    },
  });
}

export async function learnerProfile(api: IdentityApp, learnerId: string) {
  await upsertLearnerProfile(pipeline(api), context(learnerId), {
    input: {
      goals: ['Ship a typed library'],
      subjects: ['typescript'],
      preferredStyle: 'socratic',
      languages: ['en'],
      availability: [{ day: 0, start: '17:00', end: '19:00' }],
      timeZone: 'Europe/London',
    },
  });
}

export const factorsOf = (score: number) => ({
  subject: 1,
  style: 1,
  language: 1,
  availability: 1,
  timezone: 1,
  history: 0.5,
  score,
});

export const inADay = () => new Date(Date.now() + 86_400_000).toISOString();
