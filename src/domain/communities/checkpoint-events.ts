import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { CHECKPOINT_SOURCES, checkpointRulesSchema } from './checkpoint-values.ts';
import { communitySubject } from './streams.ts';

const ids = { communityId: z.uuid(), pathId: z.uuid(), moduleId: z.uuid(), checkpointId: z.uuid() };
/**
 * A version's whole checkpoint. `questions` is the JSON of `CheckpointQuestion[]` (correct answers
 * included): one string because a personal field must be a top-level string to be encrypted with
 * the community's key (null once the community is erased). It was validated before it was stored.
 */
const draft = z.object({
  ...ids,
  version: z.number().int().min(1),
  questions: z.string().nullable(),
  ...checkpointRulesSchema.shape,
  source: z.enum(CHECKPOINT_SOURCES),
  generator: z.object({ provider: z.string(), model: z.string(), label: z.string() }).nullable(),
  draftedBy: z.uuid(),
});

/** One checkpoint (`checkpoint-<id>`): its questions and rules version by version, and approval. */
export const checkpointEventSchemas = {
  CheckpointDrafted: draft,
  CheckpointRevised: draft,
  /** Learners take `version` from now on; scoring uses its questions and rules. */
  CheckpointApproved: z.object({
    communityId: z.uuid(),
    checkpointId: z.uuid(),
    version: z.number().int().min(1),
    approvedBy: z.uuid(),
  }),
};

type Schemas = typeof checkpointEventSchemas;
export type CheckpointEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

const byCommunity = (data: { communityId: string }) => communitySubject(data.communityId);
const draftPublic = ['communityId', 'pathId', 'moduleId', 'checkpointId', 'version', 'source'];

export const checkpointEventCatalogue: EventCatalogue<CheckpointEvent> = {
  CheckpointDrafted: {
    type: 'CheckpointDrafted',
    schemaVersion: 1,
    schema: checkpointEventSchemas.CheckpointDrafted,
    personalFields: ['questions'],
    subject: byCommunity,
    publicFields: draftPublic,
  },
  CheckpointRevised: {
    type: 'CheckpointRevised',
    schemaVersion: 1,
    schema: checkpointEventSchemas.CheckpointRevised,
    personalFields: ['questions'],
    subject: byCommunity,
    publicFields: draftPublic,
  },
  CheckpointApproved: {
    type: 'CheckpointApproved',
    schemaVersion: 1,
    schema: checkpointEventSchemas.CheckpointApproved,
    publicFields: ['communityId', 'checkpointId', 'version'],
  },
};
