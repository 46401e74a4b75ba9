import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import {
  actorRef,
  allowedContentTypes,
  brandDescription,
  brandIdentity,
  brandName,
  brandRole,
  channels,
  claimText,
  countryCode,
  emailHash,
  emailHint,
  languageTag,
  reasonText,
  workflow,
} from './brand-values.ts';

/** The brand's settings: what BrandCreated sets in full and BrandUpdated changes in part. */
export const brandSettings = z.object({
  name: brandName,
  description: brandDescription,
  identity: brandIdentity,
  country: countryCode,
  language: languageTag,
  allowedContentTypes,
  workflow,
  channels,
});
export type BrandSettings = z.infer<typeof brandSettings>;

/** A brand (MixerAI): identity, configuration, members and their roles, master claims. */
export const brandEventSchemas = {
  BrandCreated: brandSettings.extend({ brandId: z.uuid(), createdBy: z.uuid() }),
  /** Only the settings that changed, with their new values. */
  BrandUpdated: z.object({ brandId: z.uuid(), changes: brandSettings.partial() }),
  BrandArchived: z.object({
    brandId: z.uuid(),
    archivedBy: actorRef,
    reason: reasonText.nullable(),
  }),
  BrandMemberAdded: z.object({ brandId: z.uuid(), userId: z.uuid(), role: brandRole, addedBy: actorRef }),
  BrandMemberRoleChanged: z.object({
    brandId: z.uuid(),
    userId: z.uuid(),
    role: brandRole,
    changedBy: actorRef,
  }),
  BrandMemberRemoved: z.object({ brandId: z.uuid(), userId: z.uuid(), removedBy: actorRef }),
  MasterClaimAdded: z.object({
    brandId: z.uuid(),
    claimId: z.uuid(),
    country: countryCode,
    text: claimText,
    addedBy: actorRef,
  }),
  MasterClaimRemoved: z.object({ brandId: z.uuid(), claimId: z.uuid(), removedBy: actorRef }),
  /**
   * An invitation to join, addressed to an e-mail address that is never stored: `emailHash` is an
   * HMAC of the normalised address (keyed from the server's secret), `emailHint` a masked form
   * (`a•••@example.org`) for the brand's admins to recognise it by.
   */
  BrandInvitationSent: z.object({
    brandId: z.uuid(),
    invitationId: z.uuid(),
    emailHash,
    emailHint,
    role: brandRole,
    invitedBy: actorRef,
    expiresAt: z.iso.datetime(),
  }),
  /** Recorded together with the BrandMemberAdded that makes the invitee a member. */
  BrandInvitationAccepted: z.object({ brandId: z.uuid(), invitationId: z.uuid(), userId: z.uuid() }),
  BrandInvitationDeclined: z.object({ brandId: z.uuid(), invitationId: z.uuid(), userId: z.uuid() }),
  BrandInvitationRevoked: z.object({ brandId: z.uuid(), invitationId: z.uuid(), revokedBy: actorRef }),
};

type Schemas = typeof brandEventSchemas;
export type BrandEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type BrandEventOf<Type extends BrandEvent['type']> = Extract<BrandEvent, { type: Type }>;

/**
 * Integrators see every field of a brand event except those that point at an invitee's e-mail
 * address: its keyed hash (which anyone holding the server's secret could test guesses against)
 * and its masked hint.
 */
const ADDRESS_FIELDS: readonly string[] = ['emailHash', 'emailHint'];

const definition = <Type extends BrandEvent['type'], Shape extends z.ZodRawShape>(
  type: Type,
  schema: z.ZodObject<Shape>,
) => ({
  type,
  schemaVersion: 1,
  schema,
  publicFields: Object.keys(schema.shape).filter((field) => !ADDRESS_FIELDS.includes(field)),
});

export const brandEventCatalogue: EventCatalogue<BrandEvent> = {
  BrandCreated: definition('BrandCreated', brandEventSchemas.BrandCreated),
  BrandUpdated: definition('BrandUpdated', brandEventSchemas.BrandUpdated),
  BrandArchived: definition('BrandArchived', brandEventSchemas.BrandArchived),
  BrandMemberAdded: definition('BrandMemberAdded', brandEventSchemas.BrandMemberAdded),
  BrandMemberRoleChanged: definition('BrandMemberRoleChanged', brandEventSchemas.BrandMemberRoleChanged),
  BrandMemberRemoved: definition('BrandMemberRemoved', brandEventSchemas.BrandMemberRemoved),
  MasterClaimAdded: definition('MasterClaimAdded', brandEventSchemas.MasterClaimAdded),
  MasterClaimRemoved: definition('MasterClaimRemoved', brandEventSchemas.MasterClaimRemoved),
  BrandInvitationSent: definition('BrandInvitationSent', brandEventSchemas.BrandInvitationSent),
  BrandInvitationAccepted: definition('BrandInvitationAccepted', brandEventSchemas.BrandInvitationAccepted),
  BrandInvitationDeclined: definition('BrandInvitationDeclined', brandEventSchemas.BrandInvitationDeclined),
  BrandInvitationRevoked: definition('BrandInvitationRevoked', brandEventSchemas.BrandInvitationRevoked),
};
