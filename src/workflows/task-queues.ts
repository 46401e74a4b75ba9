/**
 * Every Temporal task queue Chronicle uses, in one place: the worker polls each of them and the
 * process manager's reactions start workflows on them, so the two can never disagree on a name.
 */
export const TASK_QUEUES = {
  /** Sagas that orchestrate commands (publishing, matching): short activities, many of them. */
  sagas: 'chronicle-sagas',
  /**
   * ffmpeg and sharp work (renditions, HLS, thumbnails): long, CPU-bound activities, as many at a
   * time as the worker has cores, kept apart so they never take the slots sagas' commands need.
   */
  media: 'chronicle-media',
  /**
   * Integrator webhooks: one long-running workflow per webhook whose reads long-poll (holding an
   * activity slot up to 20 s while idle), kept apart so idle webhooks never take the sagas' slots.
   */
  webhooks: 'chronicle-webhooks',
  /**
   * Notification delivery (push, e-mail), digests and session reminders: one short workflow per
   * notifying event, sends bounded by the push service and the mail server, kept apart so a burst
   * (a post to 10,000 followers) never takes the sagas' slots.
   */
  notifications: 'chronicle-notifications',
} as const;

export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
