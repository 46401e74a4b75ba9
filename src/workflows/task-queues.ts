/**
 * Every Temporal task queue Chronicle uses, in one place: the worker polls each of them and the
 * process manager's reactions start workflows on them, so the two can never disagree on a name.
 */
export const TASK_QUEUES = {
  /** Sagas that orchestrate commands (publishing, matching): short activities, many of them. */
  sagas: 'chronicle-sagas',
} as const;

export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
