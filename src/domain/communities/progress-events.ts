import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { clientTime } from './attempt-events.ts';

const id = z.uuid();

/** How far through a module a learner is, in whole percent. */
export const modulePercent = z.number().int().min(0).max(100);

/**
 * One learner's progress through one path (`learningprogress-…`). `clientTime` is the device's
 * time, kept as sent (offline completions arrive late); the server's is the event's `occurredAt`.
 * `LearningModuleProgressed` records a new maximum only: progress never goes back.
 */
export const progressEventSchemas = {
  LearningModuleCompleted: z.object({ communityId: id, pathId: id, moduleId: id, userId: id, clientTime }),
  LearningModuleProgressed: z.object({
    communityId: id,
    pathId: id,
    moduleId: id,
    userId: id,
    percent: modulePercent,
    clientTime,
  }),
};

type Schemas = typeof progressEventSchemas;
export type ProgressEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type ProgressEventOf<Type extends ProgressEvent['type']> = Extract<ProgressEvent, { type: Type }>;

export const progressEventCatalogue: EventCatalogue<ProgressEvent> = {
  LearningModuleCompleted: {
    type: 'LearningModuleCompleted',
    schemaVersion: 1,
    schema: progressEventSchemas.LearningModuleCompleted,
    publicFields: ['communityId', 'pathId', 'moduleId', 'userId', 'clientTime'],
  },
  LearningModuleProgressed: {
    type: 'LearningModuleProgressed',
    schemaVersion: 1,
    schema: progressEventSchemas.LearningModuleProgressed,
    publicFields: ['communityId', 'pathId', 'moduleId', 'userId', 'percent', 'clientTime'],
  },
};
