import type { MentorProfileData, MentorProfileEvent } from './mentor-profile-events.ts';

export interface MentorProfile extends MentorProfileData {
  status: 'active';
  mentorId: string;
  activeMentees: number;
  /** The match requests whose mentee was added: `AddMentee` is idempotent per request. */
  menteeRequests: readonly string[];
}

export type MentorProfileState = { status: 'none' } | MentorProfile;

export const initialMentorProfileState: MentorProfileState = { status: 'none' };

export function evolveMentorProfile(
  state: MentorProfileState,
  event: MentorProfileEvent,
): MentorProfileState {
  switch (event.type) {
    case 'MentorProfileUpserted': {
      const { mentorId, ...profile } = event.data;
      return state.status === 'none'
        ? { status: 'active', mentorId, ...profile, activeMentees: 0, menteeRequests: [] }
        : { ...state, ...profile };
    }
    case 'MenteeAdded':
      if (state.status === 'none') return state;
      return {
        ...state,
        activeMentees: event.data.activeMentees,
        menteeRequests: [...state.menteeRequests, event.data.requestId],
      };
    default:
      return state;
  }
}
