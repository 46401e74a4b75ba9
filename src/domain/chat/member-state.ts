import { comparePositions } from './chat-values.ts';
import type { ChatMemberEvent } from './member-events.ts';

export interface ChatMemberSettings {
  muted: boolean;
  archived: boolean;
  pinned: boolean;
}

export interface ChatMemberState {
  /** Watermarks, as global positions in decimal digits; '0' is none. Delivered is never below read. */
  deliveredPosition: string;
  readPosition: string;
  settings: ChatMemberSettings;
  /** The messages this member hid for themselves. */
  hiddenMessageIds: readonly string[];
}

export const DEFAULT_MEMBER_SETTINGS: ChatMemberSettings = { muted: false, archived: false, pinned: false };

export const initialChatMemberState: ChatMemberState = {
  deliveredPosition: '0',
  readPosition: '0',
  settings: DEFAULT_MEMBER_SETTINGS,
  hiddenMessageIds: [],
};

const later = (a: string, b: string) => (comparePositions(a, b) >= 0 ? a : b);

export function evolveChatMember(state: ChatMemberState, event: ChatMemberEvent): ChatMemberState {
  switch (event.type) {
    case 'ChatMessagesDelivered':
      return { ...state, deliveredPosition: later(state.deliveredPosition, event.data.position) };
    case 'ChatMessagesRead': {
      // Read implies delivered: what someone read they have received.
      const readPosition = later(state.readPosition, event.data.position);
      return { ...state, readPosition, deliveredPosition: later(state.deliveredPosition, readPosition) };
    }
    case 'ChatMemberSettingsChanged': {
      const { muted, archived, pinned } = event.data;
      return { ...state, settings: { muted, archived, pinned } };
    }
    case 'ChatMessageHiddenForMe':
      return state.hiddenMessageIds.includes(event.data.messageId)
        ? state
        : { ...state, hiddenMessageIds: [...state.hiddenMessageIds, event.data.messageId] };
    default:
      return state;
  }
}
