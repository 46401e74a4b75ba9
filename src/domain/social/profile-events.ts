import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { username } from './profile-values.ts';

const userId = z.uuid();

/**
 * A person's public profile on the video platform, beside their account: the username others
 * mention and find them by, and the avatar. Display name and bio are the account's own
 * (UserProfileChanged), so there is one place to change them and one to erase them.
 */
export const profileEventSchemas = {
  /** `previous` is null for the first username. */
  UsernameChanged: z.object({ userId, username: username.nullable(), previous: username.nullable() }),
  ProfileAvatarSet: z.object({ userId, assetId: z.uuid() }),
  ProfileAvatarRemoved: z.object({ userId }),
};

type Schemas = typeof profileEventSchemas;
export type ProfileEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type ProfileEventOf<Type extends ProfileEvent['type']> = Extract<ProfileEvent, { type: Type }>;

const bySubject = (data: { userId: string }) => data.userId;

/**
 * A username is personal data: it is encrypted with its person's key, so once they are forgotten
 * every copy of the history reads it as null (hence nullable in the schema).
 */
export const profileEventCatalogue: EventCatalogue<ProfileEvent> = {
  UsernameChanged: {
    type: 'UsernameChanged',
    schemaVersion: 1,
    schema: profileEventSchemas.UsernameChanged,
    personalFields: ['username', 'previous'],
    subject: bySubject,
    publicFields: ['userId', 'username'],
  },
  ProfileAvatarSet: {
    type: 'ProfileAvatarSet',
    schemaVersion: 1,
    schema: profileEventSchemas.ProfileAvatarSet,
    publicFields: ['userId', 'assetId'],
  },
  ProfileAvatarRemoved: {
    type: 'ProfileAvatarRemoved',
    schemaVersion: 1,
    schema: profileEventSchemas.ProfileAvatarRemoved,
    publicFields: ['userId'],
  },
};
