import { deepEqual, validOr } from '../brands/validate.ts';
import type { Decider } from '../shared/decider.ts';
import { conflict, notFound } from '../shared/domain-error.ts';
import type { CommunityCommand, CommunityCommandOf } from './community-commands.ts';
import { type CommunityEvent, communityEventCatalogue, communityEventSchemas } from './community-events.ts';
import { requireRole } from './community-permission.ts';
import {
  type CommunityRecord,
  type CommunityState,
  evolveCommunity,
  initialCommunityState,
} from './community-state.ts';
import { communityPersonOf, validSettings } from './community-values.ts';
import { ownedByCommunity } from './streams.ts';

type Decision = CommunityEvent[];

export const communityDecider: Decider<CommunityCommand, CommunityEvent, CommunityState> = {
  initialState: initialCommunityState,
  evolve: evolveCommunity,
  decide(command, state, context) {
    const actorId = communityPersonOf(context.actor);
    switch (command.type) {
      case 'CreateCommunity':
        return create(command, state, actorId);
      case 'ChangeCommunitySettings':
        return changeSettings(command, existing(state), actorId);
      case 'EraseCommunity':
        return erase(command, state, actorId);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown community command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const communityAggregate = {
  decider: communityDecider,
  catalogue: communityEventCatalogue,
  communityOf: ownedByCommunity,
};

/** An erased community is gone: nothing more is decided on it. */
function existing(state: CommunityState): CommunityRecord {
  if (state.status !== 'active') throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  return state;
}

function create(
  command: CommunityCommandOf<'CreateCommunity'>,
  state: CommunityState,
  actorId: string,
): Decision {
  if (state.status !== 'none') throw conflict('COMMUNITY_EXISTS', 'This community already exists');
  return [
    {
      type: 'CommunityCreated',
      data: { communityId: command.communityId, ...validSettings(command.settings), createdBy: actorId },
    },
  ];
}

/** The owner's alone (`community.edit_settings`); settings as they already are decide nothing. */
function changeSettings(
  command: CommunityCommandOf<'ChangeCommunitySettings'>,
  community: CommunityRecord,
  actorId: string,
): Decision {
  requireRole(command.actorRole, 'community.edit_settings');
  const settings = validSettings(command.settings);
  const { status: _, communityId, createdBy: __, ...current } = community;
  if (deepEqual(current, settings)) return [];
  return [{ type: 'CommunitySettingsChanged', data: { communityId, ...settings, changedBy: actorId } }];
}

/**
 * The owner's alone (`community.erase`). A second erasure is refused rather than ignored: the
 * caller learns the community was already gone (and by whom the stream says).
 */
function erase(
  command: CommunityCommandOf<'EraseCommunity'>,
  state: CommunityState,
  actorId: string,
): Decision {
  if (state.status === 'erased') throw conflict('COMMUNITY_ERASED', 'This community has already been erased');
  const community = existing(state);
  requireRole(command.actorRole, 'community.erase');
  const reason = validOr(
    communityEventSchemas.CommunityErased.shape.reason,
    command.reason.trim(),
    'INVALID_REASON',
    'reason',
  );
  return [
    { type: 'CommunityErased', data: { communityId: community.communityId, erasedBy: actorId, reason } },
  ];
}
