import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { MAX_MODULE_MEDIA } from './module-values.ts';
import { communitySubject } from './streams.ts';

const ids = { communityId: z.uuid(), pathId: z.uuid(), moduleId: z.uuid() };
/**
 * A version's whole content. The body is the community's text (encrypted with its key, so
 * erasing the community leaves null); media are ready assets of the author's from the media
 * pipeline, in the order shown.
 */
const content = z.object({
  ...ids,
  version: z.number().int().min(1),
  title: z.string().min(1),
  body: z.string().nullable(),
  mediaAssetIds: z.array(z.uuid()).max(MAX_MODULE_MEDIA),
  editedBy: z.uuid(),
});

/** One module (`learningmodule-<id>`): its content version by version, and which one learners see. */
export const learningModuleEventSchemas = {
  LearningModuleDrafted: content,
  LearningModuleRevised: content,
  /** `version` is what learners now see; `publishedBy` the mentor or moderator who chose it. */
  LearningModulePublished: z.object({ ...ids, version: z.number().int().min(1), publishedBy: z.uuid() }),
};

type Schemas = typeof learningModuleEventSchemas;
export type LearningModuleEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

const byCommunity = (data: { communityId: string }) => communitySubject(data.communityId);
const publicFields = ['communityId', 'pathId', 'moduleId', 'version'];

export const learningModuleEventCatalogue: EventCatalogue<LearningModuleEvent> = {
  LearningModuleDrafted: {
    type: 'LearningModuleDrafted',
    schemaVersion: 1,
    schema: learningModuleEventSchemas.LearningModuleDrafted,
    personalFields: ['body'],
    subject: byCommunity,
    publicFields,
  },
  LearningModuleRevised: {
    type: 'LearningModuleRevised',
    schemaVersion: 1,
    schema: learningModuleEventSchemas.LearningModuleRevised,
    personalFields: ['body'],
    subject: byCommunity,
    publicFields,
  },
  LearningModulePublished: {
    type: 'LearningModulePublished',
    schemaVersion: 1,
    schema: learningModuleEventSchemas.LearningModulePublished,
    publicFields,
  },
};
