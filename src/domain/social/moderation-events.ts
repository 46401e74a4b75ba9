import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { decisionReason, flaggedCategories, moderatedKind, reportReason } from './moderation-values.ts';

/**
 * One moderation case per piece of content, `modcase-<content id>`: every report on it, the
 * automatic hold and each moderator's decision, in order. Video and comment ids are UUIDs made
 * independently, so the content id alone names the case.
 */
export const moderationCaseStream = (targetId: string) => `modcase-${targetId}`;

const target = {
  targetKind: moderatedKind,
  targetId: z.uuid(),
  /** Whose content it is: told why when it is hidden. */
  authorId: z.uuid(),
};

export const moderationEventSchemas = {
  /** One per reporter and piece of content; the reporter is never shown to the author. */
  ContentReported: z.object({ ...target, reporterId: z.uuid(), reason: reportReason }),
  /** The text check flagged it: hidden until a moderator restores or hides it for good. */
  ContentHeldForReview: z.object({ ...target, categories: flaggedCategories }),
  ContentHidden: z.object({ ...target, moderatorId: z.string().min(1), reason: decisionReason }),
  ContentRestored: z.object({ ...target, moderatorId: z.string().min(1) }),
  /** A moderator looked at the open reports and found nothing to act on. */
  ReportsDismissed: z.object({ ...target, moderatorId: z.string().min(1) }),
};

type Schemas = typeof moderationEventSchemas;
export type ModerationEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

const define = <Type extends ModerationEvent['type']>(type: Type) => ({
  type,
  schemaVersion: 1,
  schema: moderationEventSchemas[type],
  publicFields: ['targetKind', 'targetId'] as const,
});

export const moderationEventCatalogue: EventCatalogue<ModerationEvent> = {
  ContentReported: define('ContentReported'),
  ContentHeldForReview: define('ContentHeldForReview'),
  ContentHidden: define('ContentHidden'),
  ContentRestored: define('ContentRestored'),
  ReportsDismissed: define('ReportsDismissed'),
};
