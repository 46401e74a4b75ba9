import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { communityMemberSubject } from './streams.ts';

const id = z.uuid();
const points = z.number().min(0);

/**
 * The time the learner's device gave, kept exactly as sent (with its offset): offline submissions
 * arrive late, and the local day it names is the day the learner studied (streaks count it).
 */
export const clientTime = z.iso.datetime({ offset: true });

export const questionFeedback = z.object({
  questionId: z.string().min(1),
  points,
  maxPoints: points,
  outcome: z.enum(['correct', 'incorrect', 'unanswered', 'awaiting_grading', 'graded']),
});

/**
 * One learner's attempts at one checkpoint (`checkpointattempts-…`). `answers` is the learner's
 * text (JSON of `GivenAnswer[]`): an array cannot be encrypted field by field, so it is stored as
 * one personal string under the learner's key for this community, and erasing the learner or the
 * community leaves the scores and drops the words. `feedback` holds only points and outcomes (no
 * correct answers, no text) and is public to the read side. The server's time is the event's
 * `occurredAt`; `clientTime` is the device's.
 */
export const attemptEventSchemas = {
  CheckpointAttemptSubmitted: z.object({
    communityId: id,
    pathId: id,
    moduleId: id,
    checkpointId: id,
    checkpointVersion: z.number().int().min(1),
    userId: id,
    attemptId: id,
    attemptNumber: z.number().int().min(1),
    answers: z.string().nullable(),
    clientTime,
    /**
     * The server's time of the decision (also the event's `occurredAt`): in the data so the
     * cool-down, which counts from it, folds from the events alone. Never the client's clock,
     * which a learner could set back to skip the cool-down.
     */
    submittedAt: z.iso.datetime(),
    score: points,
    maxScore: points,
    passMark: z.number().min(0).max(100),
    passed: z.boolean().nullable(),
    feedback: z.array(questionFeedback),
  }),
  /** A mentor graded the reflections of an attempt; `score` and `passed` are the attempt's now. */
  CheckpointAttemptGraded: z.object({
    communityId: id,
    checkpointId: id,
    userId: id,
    attemptId: id,
    gradedBy: id,
    grades: z.array(z.object({ questionId: z.string().min(1), points })),
    score: points,
    passed: z.boolean(),
    /**
     * The grader's words to the learner: personal, under the grader's key for this community (they
     * are the grader's words, so forgetting the grader makes them unreadable, as their posts).
     */
    feedback: z.string().nullable(),
  }),
};

type Schemas = typeof attemptEventSchemas;
export type AttemptEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type AttemptEventOf<Type extends AttemptEvent['type']> = Extract<AttemptEvent, { type: Type }>;

const ofLearner = (data: { communityId: string; userId: string }) =>
  communityMemberSubject(data.communityId, data.userId);

export const attemptEventCatalogue: EventCatalogue<AttemptEvent> = {
  CheckpointAttemptSubmitted: {
    type: 'CheckpointAttemptSubmitted',
    schemaVersion: 1,
    schema: attemptEventSchemas.CheckpointAttemptSubmitted,
    personalFields: ['answers'],
    subject: ofLearner,
    publicFields: [
      'communityId',
      'pathId',
      'moduleId',
      'checkpointId',
      'checkpointVersion',
      'userId',
      'attemptId',
      'attemptNumber',
      'clientTime',
      'submittedAt',
      'score',
      'maxScore',
      'passMark',
      'passed',
      'feedback',
    ],
  },
  CheckpointAttemptGraded: {
    type: 'CheckpointAttemptGraded',
    schemaVersion: 1,
    schema: attemptEventSchemas.CheckpointAttemptGraded,
    personalFields: ['feedback'],
    subject: (data) => communityMemberSubject(data.communityId, data.gradedBy),
    publicFields: [
      'communityId',
      'checkpointId',
      'userId',
      'attemptId',
      'gradedBy',
      'grades',
      'score',
      'passed',
    ],
  },
};
