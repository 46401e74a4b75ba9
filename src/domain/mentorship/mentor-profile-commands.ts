import type { Level, TeachingStyle, WeeklySlot } from './values.ts';

/**
 * Commands on a mentor's profile (`mentor-<userId>`). Values arrive as the person typed them; the
 * decider validates and normalises them.
 */
export type MentorProfileCommand =
  /** The whole profile, as the mentor wants it now (the person themself). */
  | {
      type: 'UpsertMentorProfile';
      mentorId: string;
      subjects: readonly { subject: string; level: Level }[];
      styles: readonly TeachingStyle[];
      languages: readonly string[];
      availability: readonly WeeklySlot[];
      timeZone: string;
      capacity: number;
      accepting: boolean;
    }
  /** The matching saga (system) takes a mentee on for a match request; once per request. */
  | { type: 'AddMentee'; requestId: string; learnerId: string }
  /**
   * The mentee of a request leaves: the saga compensates a match the learner cancelled
   * (`match_cancelled`, system), or the mentorship is over (`mentorship_ended`, the system, the
   * mentor themself or that mentee). Releasing a mentee not held decides nothing.
   */
  | { type: 'ReleaseMentee'; requestId: string; reason: MenteeReleaseReason };

export type MenteeReleaseReason = 'match_cancelled' | 'mentorship_ended';
export const MENTEE_RELEASE_REASONS: readonly MenteeReleaseReason[] = ['match_cancelled', 'mentorship_ended'];
