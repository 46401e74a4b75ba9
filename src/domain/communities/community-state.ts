import type { CommunityEvent } from './community-events.ts';
import type { CommunitySettings } from './community-values.ts';

export interface CommunityRecord extends CommunitySettings {
  status: 'active' | 'erased';
  communityId: string;
  /** The owner: the creator owns the community for as long as it exists (no handover). */
  createdBy: string;
}

export type CommunityState = { status: 'none' } | CommunityRecord;

export const initialCommunityState: CommunityState = { status: 'none' };

export function evolveCommunity(state: CommunityState, event: CommunityEvent): CommunityState {
  switch (event.type) {
    case 'CommunityCreated': {
      const { communityId, createdBy, ...settings } = event.data;
      return { status: 'active', communityId, createdBy, ...settings };
    }
    case 'CommunitySettingsChanged': {
      if (state.status === 'none') return state;
      const { communityId: _, changedBy: __, ...settings } = event.data;
      return { ...state, ...settings };
    }
    case 'CommunityErased':
      // The texts are unreadable from here on; the state says so rather than keep stale copies.
      return state.status === 'none' ? state : { ...state, status: 'erased', description: null, rules: null };
    default:
      return state;
  }
}
