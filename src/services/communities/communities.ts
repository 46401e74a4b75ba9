import { uuidv5 } from '../../commands/event-ids.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import type { CommunityCommand } from '../../domain/communities/community-commands.ts';
import { communityAggregate } from '../../domain/communities/community-decider.ts';
import type { CommunityRecord } from '../../domain/communities/community-state.ts';
import { type CommunitySettings, communityPersonOf } from '../../domain/communities/community-values.ts';
import type { MembershipCommand } from '../../domain/communities/membership-commands.ts';
import { membershipAggregate } from '../../domain/communities/membership-decider.ts';
import {
  COMMUNITY_NAMESPACE,
  communityMemberStream,
  communityStream,
} from '../../domain/communities/streams.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { communityOnRecord, membershipOnRecord, refuseUnseen } from './access.ts';
import { createCommunityInput, eraseInput, updateSettingsInput } from './community-inputs.ts';
import type { CommunityDeps } from './deps.ts';

/**
 * A community the caller owns. Its id derives from the command id, so a retry with the same
 * idempotency key finds the community it made. Creation writes the community's stream, then the
 * creator's membership (owner, via creation) under a command id derived from the first: a retry
 * after a crash in between completes it, and until then the access checks treat the creator as
 * the owner anyway (they own it by `createdBy`).
 */
export async function createCommunity(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { input } = createCommunityInput.parse(raw);
  const creatorId = communityPersonOf(context.actor).toLowerCase();
  const commandId = commandIdFor(context, 'createCommunity', input);
  const communityId = commandId;
  const stream = communityStream(communityId);
  const command: CommunityCommand = {
    type: 'CreateCommunity',
    communityId,
    settings: {
      name: input.name,
      description: input.description ?? null,
      language: input.language,
      region: input.region,
      visibility: input.visibility,
      rules: input.rules ?? null,
      minTrustToStartThreads: input.minTrustToStartThreads ?? 0,
      minTrustToPostLinks: input.minTrustToPostLinks ?? 0,
    },
  };
  await execute(deps, communityAggregate, stream, envelope(context, commandId, nowFrom(deps), command));
  const community = await communityOnRecord(deps, communityId);
  if (!community) throw new Error(`Community ${communityId} was not recorded`);
  const join: MembershipCommand = { type: 'JoinCommunity', community };
  await execute(
    deps,
    membershipAggregate,
    communityMemberStream(communityId, creatorId),
    envelope(context, uuidv5(`${commandId}:owner`, COMMUNITY_NAMESPACE), nowFrom(deps), join),
  );
  return communityId;
}

/** The owner's: fields left out keep their values (the event records the whole settings). */
export async function updateCommunitySettings(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, input } = updateSettingsInput.parse(raw);
  const current = await visibleCommunity(deps, context, communityId);
  const keep = <Value>(value: Value | null | undefined, fallback: Value) =>
    value === undefined || value === null ? fallback : value;
  const settings: CommunitySettings = {
    name: keep(input.name, current.record.name),
    description: input.description === undefined ? current.record.description : input.description,
    language: keep(input.language, current.record.language),
    region: keep(input.region, current.record.region),
    visibility: keep(input.visibility, current.record.visibility),
    rules: input.rules === undefined ? current.record.rules : input.rules,
    minTrustToStartThreads: keep(input.minTrustToStartThreads, current.record.minTrustToStartThreads),
    minTrustToPostLinks: keep(input.minTrustToPostLinks, current.record.minTrustToPostLinks),
  };
  await issueCommunityCommand(deps, context, communityId, commandIdFor(context, 'updateCommunitySettings'), {
    type: 'ChangeCommunitySettings',
    settings,
    actorRole: current.role,
  });
  return communityId;
}

/**
 * The `EraseCommunity` command itself, the owner's: the erasure service (erasure.ts) destroys the
 * community's keys around it. Refused for anyone else, and CONFLICT COMMUNITY_ERASED the second time.
 */
export async function recordCommunityErasure(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, reason } = eraseInput.parse(raw);
  const userId = communityPersonOf(context.actor);
  const community = await communityOnRecord(deps, communityId);
  if (!community) throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  const { role, status } = await membershipOnRecord(deps, communityId, userId, community);
  if (!community.erased) refuseUnseen(community.visibility, status);
  return issueCommunityCommand(deps, context, communityId, commandIdFor(context, 'eraseCommunity'), {
    type: 'EraseCommunity',
    reason,
    actorRole: role,
  });
}

/** Issues a command on the community's own stream (through the pipeline, then the read-your-writes wait). */
export function issueCommunityCommand(
  deps: CommunityDeps,
  context: RequestContext,
  communityId: string,
  commandId: string,
  command: CommunityCommand,
) {
  return execute(
    deps,
    communityAggregate,
    communityStream(communityId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/**
 * The community as its stream tells it and the caller's role in it, for a change to it: missing,
 * erased or unseen (invite-only, no record of the caller) is NOT_FOUND; the decider judges the role.
 */
async function visibleCommunity(deps: CommunityDeps, context: RequestContext, communityId: string) {
  const { state } = await loadAggregate(deps, communityAggregate, communityStream(communityId));
  if (state.status !== 'active') throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  const record: CommunityRecord = state;
  const userId = communityPersonOf(context.actor);
  const { role, status } = await membershipOnRecord(deps, communityId, userId, {
    ...record,
    erased: false,
  });
  refuseUnseen(record.visibility, status);
  if (status === 'banned') throw forbidden('BANNED', 'You are banned from this community');
  return { record, role };
}
