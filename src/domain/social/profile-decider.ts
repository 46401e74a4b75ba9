import { recordedAs } from '../brands/brand-access.ts';
import type { Actor, Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import type { AvatarAssetFacts, ProfileCommand } from './profile-commands.ts';
import { type ProfileEvent, profileEventCatalogue } from './profile-events.ts';
import { evolveProfile, initialProfile, type Profile } from './profile-state.ts';
import {
  isReservedUsername,
  MAX_USERNAME_LENGTH,
  MIN_USERNAME_LENGTH,
  normaliseUsername,
  username as usernameSchema,
} from './profile-values.ts';

type CommandOf<Type extends ProfileCommand['type']> = Extract<ProfileCommand, { type: Type }>;

export const profileDecider: Decider<ProfileCommand, ProfileEvent, Profile> = {
  initialState: initialProfile,
  evolve: evolveProfile,
  decide(command, state, context) {
    requireProfileEditor(command.userId, context.actor);
    switch (command.type) {
      case 'ChangeUsername':
        return changeUsername(command, state);
      case 'SetAvatar':
        return setAvatar(command, state);
      case 'RemoveAvatar':
        return state.avatarAssetId === null
          ? []
          : [{ type: 'ProfileAvatarRemoved', data: { userId: command.userId } }];
      default: {
        const unknown: never = command;
        throw new Error(`Unknown profile command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The profile aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const profileAggregate = { decider: profileDecider, catalogue: profileEventCatalogue };

/**
 * A profile is changed by its person (or through their API key) and by platform admins, who take
 * away an impersonating name or an offensive avatar. Moderators hide content; they do not rename.
 */
function requireProfileEditor(userId: string, actor: Actor): void {
  if (actor.kind === 'user' && actor.role === 'admin') return;
  if (actor.kind === 'system') return;
  if (recordedAs(actor) !== userId) {
    throw forbidden('NOT_PROFILE_OWNER', 'Only the person or an admin can change this profile');
  }
}

/** The username as stored, or a typed refusal saying what is wrong with it. */
export function validUsername(raw: string): string {
  const name = normaliseUsername(raw);
  if (name.length < MIN_USERNAME_LENGTH || name.length > MAX_USERNAME_LENGTH) {
    throw validation(
      'INVALID_USERNAME_LENGTH',
      `A username has ${MIN_USERNAME_LENGTH} to ${MAX_USERNAME_LENGTH} characters`,
      { min: MIN_USERNAME_LENGTH, max: MAX_USERNAME_LENGTH },
    );
  }
  if (!usernameSchema.safeParse(name).success) {
    throw validation(
      'INVALID_USERNAME',
      'A username has letters a-z, digits, _ and ., and does not start, end or repeat a dot',
    );
  }
  if (isReservedUsername(name)) throw validation('USERNAME_RESERVED', 'This username is reserved');
  return name;
}

/** Choosing the username one already has decides nothing. */
function changeUsername(command: CommandOf<'ChangeUsername'>, profile: Profile): ProfileEvent[] {
  const name = validUsername(command.username);
  if (name === profile.username) return [];
  return [
    { type: 'UsernameChanged', data: { userId: command.userId, username: name, previous: profile.username } },
  ];
}

function setAvatar(command: CommandOf<'SetAvatar'>, profile: Profile): ProfileEvent[] {
  requireAvatarImage(command.assetId, command.asset, command.userId);
  if (profile.avatarAssetId === command.assetId) return [];
  return [{ type: 'ProfileAvatarSet', data: { userId: command.userId, assetId: command.assetId } }];
}

/**
 * An avatar is an image its person uploaded that finished processing (its renditions are what
 * profiles show). Checked in this order so a stranger learns no more than "not yours".
 */
function requireAvatarImage(assetId: string, asset: AvatarAssetFacts | null, userId: string): void {
  if (asset === null || asset.assetId !== assetId) throw notFound('MEDIA_NOT_FOUND', 'No such media asset');
  if (asset.ownerId !== userId) throw forbidden('NOT_ASSET_OWNER', 'An avatar is an image you uploaded');
  if (asset.status === 'deleted') throw notFound('MEDIA_DELETED', 'This media asset was deleted');
  if (asset.kind !== 'image') throw validation('NOT_AN_IMAGE', 'An avatar is an image', { kind: asset.kind });
  if (asset.status !== 'ready') {
    throw conflict('MEDIA_NOT_READY', 'The image has not finished processing', { status: asset.status });
  }
}
