import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { clientTime } from './attempt-events.ts';

const id = z.uuid();

/**
 * One learner's progress through one path (`learningprogress-…`). `clientTime` is the device's
 * time, kept as sent (offline completions arrive late); the server's is the event's `occurredAt`.
 */
export const progressEventSchemas = {
  LearningModuleCompleted: z.object({ communityId: id, pathId: id, moduleId: id, userId: id, clientTime }),
};

type Schemas = typeof progressEventSchemas;
export type ProgressEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

export const progressEventCatalogue: EventCatalogue<ProgressEvent> = {
  LearningModuleCompleted: {
    type: 'LearningModuleCompleted',
    schemaVersion: 1,
    schema: progressEventSchemas.LearningModuleCompleted,
    publicFields: ['communityId', 'pathId', 'moduleId', 'userId', 'clientTime'],
  },
};
