import type { MentorProfileData, MentorProfileEvent } from './mentor-profile-events.ts';

export interface MentorProfile extends MentorProfileData {
  status: 'active';
  mentorId: string;
  activeMentees: number;
  /** The match requests whose mentee is held now: `AddMentee` is idempotent per request. */
  menteeRequests: readonly string[];
  /** Who each request's mentee is or was (request id → learner id), released ones included. */
  menteeLearners: Readonly<Record<string, string>>;
  /** Requests whose mentee was released: never added again. */
  releasedRequests: readonly string[];
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
        ? {
            status: 'active',
            mentorId,
            ...profile,
            activeMentees: 0,
            menteeRequests: [],
            menteeLearners: {},
            releasedRequests: [],
          }
        : { ...state, ...profile };
    }
    case 'MenteeAdded':
      if (state.status === 'none') return state;
      return {
        ...state,
        activeMentees: event.data.activeMentees,
        menteeRequests: [...state.menteeRequests, event.data.requestId],
        menteeLearners: { ...state.menteeLearners, [event.data.requestId]: event.data.learnerId },
      };
    case 'MenteeReleased': {
      if (state.status === 'none') return state;
      return {
        ...state,
        activeMentees: event.data.activeMentees,
        menteeRequests: state.menteeRequests.filter((requestId) => requestId !== event.data.requestId),
        releasedRequests: [...state.releasedRequests, event.data.requestId],
      };
    }
    default:
      return state;
  }
}
