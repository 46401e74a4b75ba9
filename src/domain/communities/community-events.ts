import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import {
  COMMUNITY_VISIBILITIES,
  communityDescription,
  communityLanguage,
  communityName,
  communityRegion,
  communityRules,
  trustMinimum,
} from './community-values.ts';
import { communitySubject } from './streams.ts';

const communityId = z.uuid();
/**
 * An erasure's reason is kept readable for auditors (CommunityErased): short, so it says why, and
 * cannot carry the community's content past its erasure.
 */
export const MAX_ERASURE_REASON_LENGTH = 500;
const settings = {
  name: communityName,
  description: communityDescription,
  language: communityLanguage,
  region: communityRegion,
  visibility: z.enum(COMMUNITY_VISIBILITIES),
  rules: communityRules,
  minTrustToStartThreads: trustMinimum,
  minTrustToPostLinks: trustMinimum,
};

/** A community (`community-<id>`): its details and settings, and its erasure. */
export const communityEventSchemas = {
  CommunityCreated: z.object({ communityId, ...settings, createdBy: z.uuid() }),
  /** The whole settings as they now are. */
  CommunitySettingsChanged: z.object({ communityId, ...settings, changedBy: z.uuid() }),
  /**
   * Everything of the community is gone or unreadable after this (docs/community-data.md). The
   * `reason` stays readable on purpose, not a personal field: an auditor must learn why a community
   * was erased, after every key of it is gone. Its length is capped so it cannot carry the
   * community's content out of the erasure.
   */
  CommunityErased: z.object({
    communityId,
    erasedBy: z.uuid(),
    reason: z.string().min(1).max(MAX_ERASURE_REASON_LENGTH),
  }),
};

type Schemas = typeof communityEventSchemas;
export type CommunityEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type CommunityEventOf<Type extends CommunityEvent['type']> = Extract<CommunityEvent, { type: Type }>;

/** A community's own texts are encrypted with its key: erasing it destroys that key. */
const communityTexts = {
  personalFields: ['description', 'rules'],
  subject: (data: { communityId: string }) => communitySubject(data.communityId),
} as const;
const settingsFields = [
  'communityId',
  'name',
  'description',
  'language',
  'region',
  'visibility',
  'minTrustToStartThreads',
  'minTrustToPostLinks',
] as const;

/**
 * Integrators may learn what a directory shows of a community (name, description, language,
 * region, visibility); the rules are for members only, and who created or erased it is not theirs.
 */
export const communityEventCatalogue: EventCatalogue<CommunityEvent> = {
  CommunityCreated: {
    type: 'CommunityCreated',
    schemaVersion: 1,
    schema: communityEventSchemas.CommunityCreated,
    ...communityTexts,
    publicFields: settingsFields,
  },
  CommunitySettingsChanged: {
    type: 'CommunitySettingsChanged',
    schemaVersion: 1,
    schema: communityEventSchemas.CommunitySettingsChanged,
    ...communityTexts,
    publicFields: settingsFields,
  },
  CommunityErased: {
    type: 'CommunityErased',
    schemaVersion: 1,
    schema: communityEventSchemas.CommunityErased,
    publicFields: ['communityId'],
  },
};
