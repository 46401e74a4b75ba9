import { learnerProfileAggregate } from '../../domain/mentorship/learner-profile-decider.ts';
import { mentorProfileAggregate } from '../../domain/mentorship/mentor-profile-decider.ts';
import { personOf } from '../../domain/mentorship/mentor-profile-policy.ts';
import { learnerStream, mentorStream } from '../../domain/mentorship/streams.ts';
import {
  commandIdFor,
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';
import { upsertLearnerProfileInput, upsertMentorProfileInput } from './profile-inputs.ts';

/** Profile use cases: a person writes their own mentor or learner profile, whole each time. */

export async function upsertMentorProfile(deps: ServiceDeps, context: RequestContext, raw: unknown) {
  const parsed = upsertMentorProfileInput.parse(raw);
  const { input } = parsed;
  const mentorId = personOf(context.actor);
  const commandId = commandIdFor(context, 'upsertMentorProfile', parsed);
  await execute(
    deps,
    mentorProfileAggregate,
    mentorStream(mentorId),
    envelope(context, commandId, nowFrom(deps), { type: 'UpsertMentorProfile', mentorId, ...input }),
  );
  return mentorId;
}

export async function upsertLearnerProfile(deps: ServiceDeps, context: RequestContext, raw: unknown) {
  const parsed = upsertLearnerProfileInput.parse(raw);
  const { input } = parsed;
  const learnerId = personOf(context.actor);
  const commandId = commandIdFor(context, 'upsertLearnerProfile', parsed);
  await execute(
    deps,
    learnerProfileAggregate,
    learnerStream(learnerId),
    envelope(context, commandId, nowFrom(deps), {
      type: 'UpsertLearnerProfile',
      learnerId,
      ...input,
      preferredStyle: input.preferredStyle ?? null,
    }),
  );
  return learnerId;
}
