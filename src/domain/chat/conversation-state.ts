import { type ConversationKind, distinctIds, type MemberRole, sameId } from './chat-values.ts';
import type { ChatConversationEvent } from './conversation-events.ts';

export interface ConversationMember {
  userId: string;
  role: MemberRole;
}

export interface StartedConversation {
  status: 'started';
  conversationId: string;
  kind: ConversationKind;
  startedBy: string;
  title: string | null;
  avatarAssetId: string | null;
  /**
   * The active members, longest-standing first: the order ownership passes on in. Someone who
   * left and was added again stands behind everyone who stayed.
   */
  members: readonly ConversationMember[];
}

export type ChatConversationState = { status: 'none' } | StartedConversation;

export const initialChatConversationState: ChatConversationState = { status: 'none' };

export function evolveChatConversation(
  state: ChatConversationState,
  event: ChatConversationEvent,
): ChatConversationState {
  if (event.type === 'ChatConversationStarted') {
    const { conversationId, kind, startedBy, memberIds, title } = event.data;
    // A group's starter owns it; the two people of a direct conversation are equals.
    const roleOf = (userId: string): MemberRole =>
      kind === 'group' && sameId(userId, startedBy) ? 'owner' : 'member';
    return {
      status: 'started',
      conversationId,
      kind,
      startedBy,
      title,
      avatarAssetId: null,
      // Events stored before ids were normalised may name one person in two spellings.
      members: distinctIds(memberIds).map((userId) => ({ userId, role: roleOf(userId) })),
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ChatMembersAdded': {
      const present = new Set(state.members.map((member) => member.userId.toLowerCase()));
      const added = distinctIds(event.data.memberIds)
        .filter((userId) => !present.has(userId.toLowerCase()))
        .map((userId) => ({ userId, role: 'member' as const }));
      return { ...state, members: [...state.members, ...added] };
    }
    case 'ChatMemberRemoved':
      return withoutMember(state, event.data.memberId);
    case 'ChatMemberLeft':
      return withoutMember(state, event.data.memberId);
    case 'ChatMemberRoleChanged':
      return {
        ...state,
        members: state.members.map((member) =>
          sameId(member.userId, event.data.memberId) ? { ...member, role: event.data.role } : member,
        ),
      };
    case 'ChatConversationDetailsChanged':
      return { ...state, title: event.data.title, avatarAssetId: event.data.avatarAssetId };
    default:
      return state;
  }
}

function withoutMember(state: StartedConversation, userId: string): StartedConversation {
  return { ...state, members: state.members.filter((member) => !sameId(member.userId, userId)) };
}

/**
 * Who owns the group once its owner is gone: the longest-standing admin, else the longest-standing
 * member; undefined when nobody is left. `members` are the ones who remain, in standing order.
 */
export function successorOf(members: readonly ConversationMember[]): ConversationMember | undefined {
  return members.find((member) => member.role === 'admin') ?? members[0];
}
