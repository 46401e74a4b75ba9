import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../../src/commands/event-codec.ts';
import { userStream } from '../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../src/domain/identity/user-events.ts';
import { deviceEventCatalogue } from '../../src/domain/notifications/device-events.ts';
import { deviceStream } from '../../src/domain/notifications/streams.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventDefinition } from '../../src/domain/shared/event-catalogue.ts';
import { followEventCatalogue } from '../../src/domain/social/follow-events.ts';
import { videoPostStream } from '../../src/domain/videos/streams.ts';
import { videoPostEventCatalogue } from '../../src/domain/videos/video-events.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { followTieStream } from '../../src/services/social/follows-streams.ts';
import { benchEventMetadata } from './bench-graphql.ts';

/**
 * The events the notifications benchmark seeds, each as the write side would have stored it: on
 * its aggregate's stream, encoded by the codec (personal fields — push subscriptions, names —
 * encrypted under their owner's key).
 */
export interface SeedEvent {
  stream: string;
  definition: EventDefinition;
  event: DomainEvent;
  at: Date;
  /** The event's id (the source event id notifications are derived from). */
  id: string;
}

const seed = (
  stream: string,
  catalogue: Record<string, EventDefinition>,
  event: DomainEvent,
  at: Date,
): SeedEvent => {
  const definition = catalogue[event.type];
  if (!definition) throw new Error(`no definition for ${event.type}`);
  return { stream, definition, event, at, id: randomUUID() };
};

/** `followerId` starts following `followeeId` (the follow tie's stream, as the follow service writes it). */
export const followed = (followerId: string, followeeId: string, at: Date) =>
  seed(
    followTieStream(followerId, followeeId),
    followEventCatalogue,
    { type: 'UserFollowed', data: { followerId, followeeId } },
    at,
  );

/** A web device of `userId` with a Web Push subscription. */
export const deviceRegistered = (
  userId: string,
  deviceId: string,
  subscription: { endpoint: string; p256dh: string; auth: string },
  at: Date,
) =>
  seed(
    deviceStream(deviceId),
    deviceEventCatalogue,
    {
      type: 'DeviceRegistered',
      data: {
        deviceId,
        userId,
        platform: 'web',
        appVersion: 'bench',
        pushEndpoint: subscription.endpoint,
        pushP256dh: subscription.p256dh,
        pushAuth: subscription.auth,
      },
    },
    at,
  );

/** A public video post: the event that tells every follower of its owner (followed_user_posted). */
export const videoPosted = (ownerId: string, postId: string, title: string, at: Date) =>
  seed(
    videoPostStream(postId),
    videoPostEventCatalogue,
    {
      type: 'VideoPostCreated',
      data: {
        postId,
        ownerId,
        assetId: randomUUID(),
        title,
        description: '',
        tags: [],
        visibility: 'public',
      },
    },
    at,
  );

/**
 * An account that exists only to be named (a creator whose name a notification shows): it cannot
 * sign in (the hash is no password's), which the benchmark does not need.
 */
export const userRegistered = (userId: string, displayName: string, at: Date) =>
  seed(
    userStream(userId),
    userEventCatalogue,
    {
      type: 'UserRegistered',
      data: {
        userId,
        email: `${userId}@bench.example.org`,
        displayName,
        passwordHash: 'bench:not-a-password-hash',
        role: 'user',
        at: at.toISOString(),
      },
    },
    at,
  );

/**
 * Encodes and appends `events`, `concurrency` streams at once, each event in its own append (one
 * command's write); the last position written. Events of one stream must not be in one call twice
 * at once: every event here is the first of its stream, or the caller orders them by phases.
 */
export async function appendEvents(
  store: Pick<EventStore, 'append'>,
  codec: Pick<EventCodec, 'encode'>,
  events: readonly SeedEvent[],
  concurrency: number,
): Promise<bigint> {
  let head = 0n;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, events.length) }, async () => {
      for (let i = next++; i < events.length; i = next++) {
        const { stream, definition, event, at, id } = events[i] as SeedEvent;
        const encoded = await codec.encode(definition, event, benchEventMetadata(at), id);
        const { position } = await store.append(stream, [encoded]);
        if (position > head) head = position;
      }
    }),
  );
  return head;
}
