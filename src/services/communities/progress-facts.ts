import { z } from 'zod';
import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { learningPathAggregate } from '../../domain/communities/path-decider.ts';
import { learningPathStream } from '../../domain/communities/streams.ts';
import { mentorProfileAggregate } from '../../domain/mentorship/mentor-profile-decider.ts';
import { mentorStream } from '../../domain/mentorship/streams.ts';
import { type CheckpointOnRecord, checkpointOnRecord, moduleOnRecord } from './checkpoint-record.ts';

/** Ids of this context are lower-cased at the edge. */
export const communityUuid = z.uuid().transform((id) => id.toLowerCase());
export const idempotencyKey = z.string().min(8).max(128).nullish();
/** A device's time with its offset, as sent (see attempt-events.ts `clientTime`). */
export const clientTimeInput = z.iso.datetime({ offset: true });

export interface VisibleModule {
  communityId: string;
  pathId: string;
  moduleId: string;
}

/**
 * A module as learners see it, from the streams: published, in a path whose published version
 * lists it. Null otherwise (a draft, a module dropped from the path, a path never published).
 */
export async function visibleModule(deps: LoadDeps, moduleId: string): Promise<VisibleModule | null> {
  const module = await moduleOnRecord(deps, moduleId);
  if (module === null || module.publishedVersion === null) return null;
  const { state: path } = await loadAggregate(deps, learningPathAggregate, learningPathStream(module.pathId));
  if (path.status === 'none' || path.publishedVersion === 0) return null;
  if (!path.publishedModuleIds.some((id) => id.toLowerCase() === module.moduleId.toLowerCase())) return null;
  return {
    communityId: module.communityId.toLowerCase(),
    pathId: module.pathId.toLowerCase(),
    moduleId: module.moduleId.toLowerCase(),
  };
}

/** An approved checkpoint of a module learners see; null otherwise. */
export async function attemptableCheckpoint(
  deps: LoadDeps,
  checkpointId: string,
): Promise<(CheckpointOnRecord & { approvedVersion: number }) | null> {
  const checkpoint = await checkpointOnRecord(deps, checkpointId);
  if (checkpoint === null || checkpoint.approvedVersion === null) return null;
  if ((await visibleModule(deps, checkpoint.moduleId)) === null) return null;
  return { ...checkpoint, approvedVersion: checkpoint.approvedVersion };
}

/**
 * Whether `mentorId` mentors `learnerId` now, as the mentorship context records it: the learner is
 * a mentee the mentor holds (a match request the mentor accepted, `MenteeAdded`, not yet released
 * by `endMentorship` or a cancelled match). Read from the mentor's own stream, the authority on
 * whom they hold.
 */
export async function isMentorOf(deps: LoadDeps, mentorId: string, learnerId: string): Promise<boolean> {
  if (mentorId.toLowerCase() === learnerId.toLowerCase()) return false;
  const { state } = await loadAggregate(deps, mentorProfileAggregate, mentorStream(mentorId.toLowerCase()));
  if (state.status === 'none') return false;
  return state.menteeRequests.some(
    (requestId) => state.menteeLearners[requestId]?.toLowerCase() === learnerId.toLowerCase(),
  );
}
