import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { MAX_PATH_MODULES } from './module-values.ts';
import { communitySubject } from './streams.ts';

const ids = { communityId: z.uuid(), pathId: z.uuid() };
const moduleIds = z.array(z.uuid()).max(MAX_PATH_MODULES);

/** One learning path (`learningpath-<id>`): details, module order, and what learners see. */
export const learningPathEventSchemas = {
  /** The description is the community's text (encrypted with its key; null once erased). */
  LearningPathCreated: z.object({
    ...ids,
    title: z.string().min(1),
    description: z.string().nullable(),
    createdBy: z.uuid(),
  }),
  /** The details as they now are. */
  LearningPathUpdated: z.object({
    ...ids,
    title: z.string().min(1),
    description: z.string().nullable(),
    updatedBy: z.uuid(),
  }),
  /** The order modules are shown and taken in, as it now is (drafts included). */
  LearningPathModulesOrdered: z.object({ ...ids, moduleIds, orderedBy: z.uuid() }),
  /** What learners now see: these modules, each at its published version. */
  LearningPathPublished: z.object({
    ...ids,
    version: z.number().int().min(1),
    moduleIds,
    publishedBy: z.uuid(),
  }),
};

type Schemas = typeof learningPathEventSchemas;
export type LearningPathEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

const byCommunity = (data: { communityId: string }) => communitySubject(data.communityId);

export const learningPathEventCatalogue: EventCatalogue<LearningPathEvent> = {
  LearningPathCreated: {
    type: 'LearningPathCreated',
    schemaVersion: 1,
    schema: learningPathEventSchemas.LearningPathCreated,
    personalFields: ['description'],
    subject: byCommunity,
    publicFields: ['communityId', 'pathId'],
  },
  LearningPathUpdated: {
    type: 'LearningPathUpdated',
    schemaVersion: 1,
    schema: learningPathEventSchemas.LearningPathUpdated,
    personalFields: ['description'],
    subject: byCommunity,
    publicFields: ['communityId', 'pathId'],
  },
  LearningPathModulesOrdered: {
    type: 'LearningPathModulesOrdered',
    schemaVersion: 1,
    schema: learningPathEventSchemas.LearningPathModulesOrdered,
    publicFields: ['communityId', 'pathId', 'moduleIds'],
  },
  LearningPathPublished: {
    type: 'LearningPathPublished',
    schemaVersion: 1,
    schema: learningPathEventSchemas.LearningPathPublished,
    publicFields: ['communityId', 'pathId', 'version', 'moduleIds'],
  },
};
