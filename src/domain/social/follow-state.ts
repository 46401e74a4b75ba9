import type { FollowEvent } from './follow-events.ts';

/**
 * The tie between two people: which of them follow the other and which blocked the other. At most
 * two entries each, one per direction, so plain lists are enough.
 */
export interface FollowTie {
  /** Ids of the people who follow the other one. */
  followers: readonly string[];
  /** Ids of the people who blocked the other one. */
  blockers: readonly string[];
}

export const initialFollowTie: FollowTie = { followers: [], blockers: [] };

const without = (list: readonly string[], id: string) => list.filter((entry) => entry !== id);
const withId = (list: readonly string[], id: string) => (list.includes(id) ? list : [...list, id]);

export function evolveFollowTie(state: FollowTie, event: FollowEvent): FollowTie {
  switch (event.type) {
    case 'UserFollowed':
      return { ...state, followers: withId(state.followers, event.data.followerId) };
    case 'UserUnfollowed':
      return { ...state, followers: without(state.followers, event.data.followerId) };
    case 'UserBlocked':
      return { ...state, blockers: withId(state.blockers, event.data.blockerId) };
    case 'UserUnblocked':
      return { ...state, blockers: without(state.blockers, event.data.blockerId) };
    default:
      return state;
  }
}
