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
};

type Schemas = typeof brandEventSchemas;
export type BrandEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type BrandEventOf<Type extends BrandEvent['type']> = Extract<BrandEvent, { type: Type }>;

/** Brands hold no personal data: integrators see every field of every brand event. */
const definition = <Type extends BrandEvent['type'], Shape extends z.ZodRawShape>(
  type: Type,
  schema: z.ZodObject<Shape>,
) => ({ type, schemaVersion: 1, schema, publicFields: Object.keys(schema.shape) });

export const brandEventCatalogue: EventCatalogue<BrandEvent> = {
  BrandCreated: definition('BrandCreated', brandEventSchemas.BrandCreated),
  BrandUpdated: definition('BrandUpdated', brandEventSchemas.BrandUpdated),
  BrandArchived: definition('BrandArchived', brandEventSchemas.BrandArchived),
  BrandMemberAdded: definition('BrandMemberAdded', brandEventSchemas.BrandMemberAdded),
  BrandMemberRoleChanged: definition('BrandMemberRoleChanged', brandEventSchemas.BrandMemberRoleChanged),
  BrandMemberRemoved: definition('BrandMemberRemoved', brandEventSchemas.BrandMemberRemoved),
  MasterClaimAdded: definition('MasterClaimAdded', brandEventSchemas.MasterClaimAdded),
  MasterClaimRemoved: definition('MasterClaimRemoved', brandEventSchemas.MasterClaimRemoved),
};
