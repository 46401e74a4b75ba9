import { uuidv5 } from '../../commands/event-ids.ts';

/** Namespace for the communities context's derived ids (a random v4 UUID, fixed forever). */
export const COMMUNITY_NAMESPACE = '9d3c6a1e-2f47-4b8e-a5d0-7e61c48b2f15';

const pair = (a: string, b: string) => uuidv5(`${a.toLowerCase()}:${b.toLowerCase()}`, COMMUNITY_NAMESPACE);

/** A community's details and settings (visibility, rules, trust minimums) and its erasure. */
export const communityStream = (communityId: string) => `community-${communityId}`;

/**
 * One person's membership of one community (requests, invitations, joining, roles, bans): a
 * 50,000-member community is 50,000 short streams, never one long one, and the name is derived so
 * the write side finds a membership without a lookup.
 */
export const communityMemberStream = (communityId: string, userId: string) =>
  `communitymember-${pair(communityId, userId)}`;

/** A thread opener or a reply: one stream per post, so a busy thread never contends. */
export const communityPostStream = (postId: string) => `communitypost-${postId}`;

/** A learning path: its details, its ordered modules and its publication. */
export const learningPathStream = (pathId: string) => `learningpath-${pathId}`;

/** A module of a path: its content, version by version. */
export const learningModuleStream = (moduleId: string) => `learningmodule-${moduleId}`;

/** A checkpoint (quiz) of a module: its questions, pass mark, attempt rules and approval. */
export const checkpointStream = (checkpointId: string) => `checkpoint-${checkpointId}`;

/** One learner's attempts at one checkpoint, and the grading of their reflections. */
export const checkpointAttemptsStream = (checkpointId: string, userId: string) =>
  `checkpointattempts-${pair(checkpointId, userId)}`;

/** One learner's progress through one path (modules completed). */
export const learningProgressStream = (pathId: string, userId: string) =>
  `learningprogress-${pair(pathId, userId)}`;

/**
 * Crypto-shredding subjects. Text the community itself owns (description, rules, modules,
 * questions) is encrypted with the community's key; text a person writes in a community (posts,
 * answers, reflections) with that person's key for that community. Erasing a community destroys
 * its key and every member's key for it; forgetting a person destroys theirs in every community.
 */
export const communitySubject = (communityId: string) => `community:${communityId.toLowerCase()}`;
export const communityMemberSubject = (communityId: string, userId: string) =>
  `communitymember:${communityId.toLowerCase()}:${userId.toLowerCase()}`;

/** The metadata owner of every event of a community-owned aggregate (`AggregateSpec.communityOf`). */
export const ownedByCommunity = (event: { data: { communityId: string } }) => event.data.communityId;
