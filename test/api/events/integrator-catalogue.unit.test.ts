import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DOMAIN_CATALOGUES,
  EVENT_DEFINITIONS,
  INTEGRATOR_CATALOGUE,
  PUBLIC_EVENT_TYPES,
  publicTypesFor,
} from '../../../src/api/events/catalogues.ts';
import { PUBLISHED_EVENTS } from '../../../src/api/events/published-events.ts';
import { NOT_PUBLISHED } from '../../../src/api/events/unpublished-events.ts';
import type { EventDefinition } from '../../../src/domain/shared/event-catalogue.ts';

const DOMAIN = join(import.meta.dirname, '../../../src/domain');

/**
 * Every `…EventCatalogue` exported by any file under src/domain, found on disk rather than taken
 * from catalogues.ts, so a new context's catalogue cannot be forgotten there either.
 */
async function cataloguesOnDisk(): Promise<{ name: string; catalogue: Record<string, EventDefinition> }[]> {
  const files = readdirSync(DOMAIN, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  const found = [];
  for (const file of files) {
    const module: Record<string, unknown> = await import(pathToFileURL(join(DOMAIN, file)).href);
    for (const [name, value] of Object.entries(module)) {
      if (name.endsWith('EventCatalogue') && typeof value === 'object' && value !== null) {
        found.push({ name: `${relative(DOMAIN, join(DOMAIN, file))}#${name}`, catalogue: value as never });
      }
    }
  }
  return found;
}

describe('the integrator catalogue', () => {
  it('knows every domain catalogue and classifies every event type: published or not, never both', async () => {
    const onDisk = await cataloguesOnDisk();
    expect(onDisk.length).toBeGreaterThanOrEqual(15);
    const registered = new Set(Object.values(DOMAIN_CATALOGUES).flat());
    const missing = onDisk.filter(({ catalogue }) => !registered.has(catalogue)).map(({ name }) => name);
    expect(missing, 'catalogues missing from DOMAIN_CATALOGUES in src/api/events/catalogues.ts').toEqual([]);

    const types = onDisk.flatMap(({ catalogue }) => Object.values(catalogue).map((d) => d.type));
    const unclassified = types.filter((type) => !(type in PUBLISHED_EVENTS) && !(type in NOT_PUBLISHED));
    expect(unclassified, 'add each to PUBLISHED_EVENTS or NOT_PUBLISHED').toEqual([]);
    const both = types.filter((type) => type in PUBLISHED_EVENTS && type in NOT_PUBLISHED);
    expect(both).toEqual([]);
    expect(new Set(types).size).toBe(types.length);
    expect([...EVENT_DEFINITIONS.keys()].sort()).toEqual([...types].sort());
  });

  it('publishes at least one type of every context but audit, each field one its domain lets out', () => {
    const contextOf = new Map(
      Object.entries(DOMAIN_CATALOGUES).flatMap(([context, catalogues]) =>
        catalogues.flatMap((catalogue) =>
          Object.values(catalogue as Record<string, EventDefinition>).map((d) => [d.type, context] as const),
        ),
      ),
    );
    const published = new Set(PUBLIC_EVENT_TYPES.map((type) => contextOf.get(type)));
    expect([...published].sort()).toEqual(
      [
        'ai',
        'brands',
        'chat',
        'communities',
        'content',
        'identity',
        'media',
        'mentorship',
        'social',
        'videos',
      ].sort(),
    );
    for (const [type, { definition, fields }] of INTEGRATOR_CATALOGUE) {
      for (const field of fields) {
        expect(definition.publicFields, `${type}.${field}`).toContain(field);
        expect(definition.credentialFields ?? [], `${type}.${field}`).not.toContain(field);
      }
    }
  });

  it('leaves out secrets and personal free text, and marks the personal fields it sends', () => {
    const withheld: Record<string, string[]> = {
      UserRegistered: ['email', 'passwordHash'],
      BrandCreated: ['channels'],
      BrandUpdated: ['changes'],
      ContentPublishRequested: ['channels'],
      ContentChannelPublished: ['location'],
      AIGenerationCompleted: ['output'],
      MediaUploadRequested: ['fileName'],
      MediaUploaded: ['storageKey'],
      MediaReady: ['manifest'],
      VideoPostCreated: ['title', 'description', 'tags'],
      MentorProfileUpserted: ['availability', 'timeZone'],
      CommunityCreated: ['rules', 'createdBy'],
      CommunitySettingsChanged: ['rules', 'changedBy'],
      CommunityErased: ['erasedBy', 'reason'],
      CommunityMemberJoined: ['userId', 'approvedBy'],
      CommunityMemberBanned: ['userId', 'bannedBy', 'reason'],
      CommunityThreadStarted: ['authorId', 'title', 'body'],
      CommunityReplyPosted: ['authorId', 'body'],
      CommunityPostEdited: ['authorId', 'title', 'body'],
      CommunityPostRemoved: ['authorId', 'removedBy', 'reason'],
      LearningModuleDrafted: ['body', 'title'],
      CheckpointDrafted: ['questions'],
      CheckpointAttemptSubmitted: ['userId', 'answers', 'feedback'],
      CheckpointAttemptGraded: ['userId', 'feedback', 'gradedBy'],
      LearningModuleCompleted: ['userId'],
      LearningModuleProgressed: ['userId', 'clientTime'],
    };
    for (const [type, fields] of Object.entries(withheld)) {
      for (const field of fields) expect(INTEGRATOR_CATALOGUE.get(type)?.fields, type).not.toContain(field);
    }
    for (const type of [
      'LearnerMessageSent',
      'MentorReplied',
      'MentorshipSessionNotesAdded',
      'SessionStarted',
    ]) {
      expect(PUBLIC_EVENT_TYPES).not.toContain(type);
    }
    // Free text a person wrote about themselves goes only as a marked personal field.
    expect(INTEGRATOR_CATALOGUE.get('UserProfileChanged')?.definition.personalFields).toContain('bio');
    // A community's description is encrypted with the community's key: null once it is erased.
    expect(INTEGRATOR_CATALOGUE.get('CommunityCreated')?.definition.personalFields).toContain('description');
    expect(PUBLIC_EVENT_TYPES).not.toContain('CommunityMemberInvited');
  });

  it('carries the community id on every community type it publishes, and none of them to non-admins', () => {
    const communityTypes = Object.values(DOMAIN_CATALOGUES.communities ?? []).flatMap((catalogue) =>
      Object.values(catalogue as Record<string, EventDefinition>).map((d) => d.type),
    );
    const published = communityTypes.filter((type) => INTEGRATOR_CATALOGUE.has(type));
    expect(published.length).toBeGreaterThan(10);
    // An integrator keeping a copy can find, and erase, one community's part of it.
    for (const type of published)
      expect(INTEGRATOR_CATALOGUE.get(type)?.fields, type).toContain('communityId');
    for (const type of published) expect(INTEGRATOR_CATALOGUE.get(type)?.audience, type).toBe('admins');
  });

  it('publishes nothing of notifications, devices, account recovery or passkeys', () => {
    // A person's inbox, preferences (when they sleep), devices (push endpoints are capability URLs
    // to their browser), recovery requests and credentials are theirs alone.
    const notificationTypes = (DOMAIN_CATALOGUES.notifications ?? []).flatMap((catalogue) =>
      Object.values(catalogue as Record<string, EventDefinition>).map((d) => d.type),
    );
    expect(notificationTypes).toEqual(
      expect.arrayContaining([
        'NotificationsMarkedRead',
        'AllNotificationsMarkedRead',
        'NotificationPreferencesChanged',
        'DeviceRegistered',
        'DevicePushSubscriptionChanged',
        'DeviceUnregistered',
        'SessionReminderDue',
      ]),
    );
    const recovery = [
      'EmailVerificationRequested',
      'UserEmailVerified',
      'PasswordResetRequested',
      'UserPasswordReset',
      'PasskeyRegistered',
      'PasskeyUsed',
      'PasskeyCloneSuspected',
      'PasskeyRemoved',
    ];
    for (const type of [...notificationTypes, ...recovery]) {
      expect(PUBLIC_EVENT_TYPES, type).not.toContain(type);
      expect(NOT_PUBLISHED[type], type).toBeTruthy();
    }
    // Push endpoints and keys are personal (encrypted with the person's key, gone when forgotten),
    // so even the audit queries and a later publication could not carry them past erasure.
    for (const type of ['DeviceRegistered', 'DevicePushSubscriptionChanged']) {
      expect(EVENT_DEFINITIONS.get(type)?.personalFields, type).toEqual(
        expect.arrayContaining(['pushEndpoint', 'pushP256dh', 'pushAuth']),
      );
    }
    expect(EVENT_DEFINITIONS.get('UserPasswordReset')?.credentialFields).toContain('passwordHash');
    expect(EVENT_DEFINITIONS.get('PasskeyRegistered')?.credentialFields).toContain('publicKey');
  });

  it('gives keys of non-admins the identity types only', () => {
    expect(publicTypesFor('readers')).toEqual([
      'UserDeactivated',
      'UserForgotten',
      'UserProfileChanged',
      'UserRegistered',
      'UserRoleChanged',
    ]);
    expect(publicTypesFor('admins')).toEqual(PUBLIC_EVENT_TYPES);
  });
});
