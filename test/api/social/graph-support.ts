import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../../src/domain/shared/decider.ts';
import type { EventDefinition } from '../../../src/domain/shared/event-catalogue.ts';
import {
  moderationCaseStream,
  moderationEventCatalogue,
} from '../../../src/domain/social/moderation-events.ts';
import { StreamNotFound } from '../../../src/eventstore/errors.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { fieldOf, type IdentityApp } from '../support/identity-app.ts';

/** The GraphQL operations the social graph tests use, in one place. */
export const PROFILE_FIELDS = `id username displayName bio forgotten followerCount followingCount videoCount
  followsYou followedByYou blockedByYou blocksYou avatar { name kind url }`;
export const PROFILE = `query ($id: ID, $username: String) { profile(id: $id, username: $username) { ${PROFILE_FIELDS} } }`;
export const FOLLOW = `mutation ($userId: ID!, $key: String) { followUser(userId: $userId, idempotencyKey: $key) { ${PROFILE_FIELDS} } }`;
export const UNFOLLOW = `mutation ($userId: ID!) { unfollowUser(userId: $userId) { ${PROFILE_FIELDS} } }`;
export const BLOCK = `mutation ($userId: ID!) { blockUser(userId: $userId) { ${PROFILE_FIELDS} } }`;
export const UNBLOCK = `mutation ($userId: ID!) { unblockUser(userId: $userId) { ${PROFILE_FIELDS} } }`;
export const SET_USERNAME = `mutation ($username: String!) { setUsername(username: $username) { ${PROFILE_FIELDS} } }`;
export const SET_AVATAR = `mutation ($assetId: ID!) { setAvatar(assetId: $assetId) { ${PROFILE_FIELDS} } }`;
export const REMOVE_AVATAR = `mutation { removeAvatar { ${PROFILE_FIELDS} } }`;
export const EDGES = `query ($id: ID!, $page: PageInput) { profile(id: $id) {
  followers(page: $page) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }
  following(page: $page) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }`;
export const PROFILE_VIDEOS = `query ($id: ID!, $page: PageInput) { profile(id: $id) {
  videos(page: $page) { totalCount nodes { id title } pageInfo { hasNextPage endCursor } } } }`;
export const HOME_FEED = `query ($page: PageInput) { homeFeed(page: $page) {
  nodes { id ownerId title } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
export const BLOCKED_USERS = `query ($page: PageInput) { blockedUsers(page: $page) {
  totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`;

export interface ProfileView {
  id: string;
  username: string | null;
  displayName: string | null;
  bio: string | null;
  forgotten: boolean;
  followerCount: number;
  followingCount: number;
  videoCount: number;
  followsYou: boolean;
  followedByYou: boolean;
  blockedByYou: boolean;
  blocksYou: boolean;
  avatar: { name: string; kind: string; url: string }[];
}

export async function profileOf(api: IdentityApp, id: string, token?: string): Promise<ProfileView> {
  return fieldOf<ProfileView>(await api.gql(PROFILE, { id }, token), 'profile');
}

/** How many events a stream holds; 0 when it does not exist (nothing was ever stored there). */
export async function eventsIn(api: IdentityApp, stream: string): Promise<number> {
  try {
    return (await api.runtime.store.readStream(stream)).length;
  } catch (error) {
    if (error instanceof StreamNotFound) return 0;
    throw error;
  }
}

/** A moderator's hide of a video, appended as the moderation context records it, and seen by the read models. */
export async function hideVideo(api: IdentityApp, postId: string, authorId: string): Promise<void> {
  await appendEvents(api, moderationCaseStream(postId), moderationEventCatalogue, [
    {
      type: 'ContentHidden',
      data: { targetKind: 'video', targetId: postId, authorId, moderatorId: randomUUID(), reason: 'spam' },
    },
  ]);
}

/** Events appended as their write side would store them, then projected; answers the position. */
export async function appendEvents(
  api: IdentityApp,
  stream: string,
  catalogue: Readonly<Record<string, EventDefinition>>,
  events: DomainEvent[],
): Promise<bigint> {
  const { store, codec } = api.runtime;
  const commandId = randomUUID();
  const metadata = {
    commandId,
    correlationId: commandId,
    causationId: commandId,
    actor: 'system:test',
    occurredAt: new Date().toISOString(),
  };
  const encoded = await Promise.all(
    events.map((event) => {
      const definition = catalogue[event.type];
      if (!definition) throw new Error(`${event.type} is not in the catalogue`);
      return codec.encode(definition, event, metadata, randomUUID());
    }),
  );
  const { position } = await store.append(stream, encoded);
  await waitForPosition(api.runtime.pool, api.runtime.bus, position, { timeoutMs: 5_000 });
  return position;
}
