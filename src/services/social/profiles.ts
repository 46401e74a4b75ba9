import { loadAggregate } from '../../commands/load-aggregate.ts';
import { releaseUnique, withReservation } from '../../commands/reservations.ts';
import { mediaAggregate } from '../../domain/media/media-decider.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import { socialPersonOf } from '../../domain/social/follow-decider.ts';
import type { AvatarAssetFacts, ProfileCommand } from '../../domain/social/profile-commands.ts';
import { profileAggregate, validUsername } from '../../domain/social/profile-decider.ts';
import { profileStream, USERNAME_SCOPE } from '../../domain/social/profile-streams.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { SocialGraphDeps } from './follows.ts';
import { removeAvatarInput, setAvatarInput, setUsernameInput } from './profiles-inputs.ts';

/**
 * Taking a username: the name is claimed first (a reservation stream per normalised name, so of
 * two people racing for it one gets CONFLICT/USERNAME_TAKEN), then the profile records it, then
 * the previous name is released for others. A failed profile write releases the new claim; a
 * crash before the release leaves the old name held by its former owner, which a retry (or their
 * next change) releases. Answers with the person's id.
 */
export async function setUsername(deps: SocialGraphDeps, context: RequestContext, raw: unknown) {
  const parsed = setUsernameInput.parse(raw);
  const userId = socialPersonOf(context.actor);
  // Refused names are refused before anything is claimed.
  const name = validUsername(parsed.username);
  const stream = profileStream(userId);
  const { state } = await loadAggregate(deps, profileAggregate, stream);
  const commandId = commandIdFor(context, 'setUsername', parsed);
  const command = envelope(context, commandId, nowFrom(deps), {
    type: 'ChangeUsername' as const,
    userId,
    username: name,
  });
  await withReservation(
    deps,
    { scope: USERNAME_SCOPE, value: name, ownerId: userId, reason: 'USERNAME_TAKEN' },
    command,
    () => execute(deps, profileAggregate, stream, command),
  );
  if (state.username !== null && state.username !== name) {
    await releaseUnique(deps, { scope: USERNAME_SCOPE, value: state.username, ownerId: userId }, command);
  }
  return userId;
}

export async function setAvatar(deps: SocialGraphDeps, context: RequestContext, raw: unknown) {
  const parsed = setAvatarInput.parse(raw);
  const userId = socialPersonOf(context.actor);
  const commandId = commandIdFor(context, 'setAvatar', parsed);
  await issue(deps, context, userId, commandId, {
    type: 'SetAvatar',
    userId,
    assetId: parsed.assetId,
    asset: await avatarFacts(deps, parsed.assetId),
  });
  return userId;
}

export async function removeAvatar(deps: SocialGraphDeps, context: RequestContext, raw: unknown) {
  const parsed = removeAvatarInput.parse(raw ?? {});
  const userId = socialPersonOf(context.actor);
  const commandId = commandIdFor(context, 'removeAvatar', parsed);
  await issue(deps, context, userId, commandId, { type: 'RemoveAvatar', userId });
  return userId;
}

async function issue(
  deps: SocialGraphDeps,
  context: RequestContext,
  userId: string,
  commandId: string,
  command: ProfileCommand,
) {
  return execute(
    deps,
    profileAggregate,
    profileStream(userId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/** The image as its own stream tells it; null when there is no such asset. */
async function avatarFacts(deps: SocialGraphDeps, assetId: string): Promise<AvatarAssetFacts | null> {
  const { state } = await loadAggregate(deps, mediaAggregate, mediaStream(assetId));
  if (state.status === 'none') return null;
  return { assetId: state.assetId, ownerId: state.ownerId, kind: state.kind, status: state.status };
}
