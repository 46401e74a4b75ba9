import { validOr } from '../brands/validate.ts';
import type { Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { chatterOf } from './chat-actor.ts';
import {
  chatTitle,
  distinctIds,
  HANDOVER,
  MAX_GROUP_MEMBERS,
  MAX_TITLE_LENGTH,
  sameId,
} from './chat-values.ts';
import type { ChatConversationCommand, ChatConversationCommandOf } from './conversation-commands.ts';
import { type ChatConversationEvent, chatConversationEventCatalogue } from './conversation-events.ts';
import {
  type ChatConversationState,
  type ConversationMember,
  evolveChatConversation,
  initialChatConversationState,
  type StartedConversation,
  successorOf,
} from './conversation-state.ts';
import { directConversationId } from './streams.ts';

type Decision = ChatConversationEvent[];

export const chatConversationDecider: Decider<
  ChatConversationCommand,
  ChatConversationEvent,
  ChatConversationState
> = {
  initialState: initialChatConversationState,
  evolve: evolveChatConversation,
  decide(command, state, context) {
    const actorId = chatterOf(context.actor);
    if (command.type === 'StartDirectConversation') return startDirect(command, state, actorId);
    if (command.type === 'CreateGroupConversation') return createGroup(command, state, actorId);
    const { conversation, me } = memberOf(state, actorId);
    switch (command.type) {
      case 'AddConversationMembers':
        return addMembers(command, groupOnly(conversation), me);
      case 'RemoveConversationMember':
        return removeMember(command, groupOnly(conversation), me);
      case 'LeaveConversation':
        return leave(groupOnly(conversation), me);
      case 'ChangeConversationRole':
        return changeRole(command, groupOnly(conversation), me);
      case 'UpdateConversationDetails':
        return updateDetails(command, groupOnly(conversation), me);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown chat conversation command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const chatConversationAggregate = {
  decider: chatConversationDecider,
  catalogue: chatConversationEventCatalogue,
};

/**
 * The actor's place in the conversation. A stranger and a former member get the same answer as
 * for a conversation that does not exist: neither may learn that it does.
 */
function memberOf(
  state: ChatConversationState,
  actorId: string,
): { conversation: StartedConversation; me: ConversationMember } {
  const me =
    state.status === 'started' ? state.members.find((member) => sameId(member.userId, actorId)) : undefined;
  if (state.status !== 'started' || !me) throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
  return { conversation: state, me };
}

/** A direct conversation is its two people, as they are: nobody joins, leaves, renames or promotes. */
function groupOnly(conversation: StartedConversation): StartedConversation {
  if (conversation.kind === 'direct') {
    throw conflict('DIRECT_CONVERSATION', 'A direct conversation has no members, roles or details to change');
  }
  return conversation;
}

const isAdmin = (member: ConversationMember) => member.role === 'owner' || member.role === 'admin';

function requireAdmin(me: ConversationMember): void {
  if (!isAdmin(me)) throw forbidden('NOT_ADMIN', 'Only the owner or an admin of the group does this');
}

/** Starting the pair's conversation again finds the one there is: it decides nothing. */
function startDirect(
  command: ChatConversationCommandOf<'StartDirectConversation'>,
  state: ChatConversationState,
  actorId: string,
): Decision {
  if (sameId(command.otherUserId, actorId)) {
    throw validation('SELF_CONVERSATION', 'A direct conversation is with someone else');
  }
  if (!sameId(command.conversationId, directConversationId(actorId, command.otherUserId))) {
    // The service derives the id; another id would open a second conversation for the same pair.
    throw validation(
      'NOT_THE_PAIRS_CONVERSATION',
      'This is not the direct conversation of these two people',
      {
        conversationId: command.conversationId,
      },
    );
  }
  // Checked before finding the existing one: a block closes the conversation both ways.
  if (command.blocked) throw forbidden('BLOCKED', 'You cannot message this person');
  if (state.status === 'started') return [];
  return [
    {
      type: 'ChatConversationStarted',
      data: {
        conversationId: command.conversationId,
        kind: 'direct',
        startedBy: actorId,
        memberIds: [actorId, command.otherUserId],
        title: null,
      },
    },
  ];
}

function createGroup(
  command: ChatConversationCommandOf<'CreateGroupConversation'>,
  state: ChatConversationState,
  actorId: string,
): Decision {
  if (state.status !== 'none') throw conflict('CONVERSATION_EXISTS', 'This conversation already exists');
  const title = validTitle(command.title);
  const memberIds = distinctIds([actorId, ...command.memberIds]);
  if (memberIds.length > MAX_GROUP_MEMBERS) {
    throw conflict('GROUP_FULL', `A group has at most ${MAX_GROUP_MEMBERS} members`, {
      limit: MAX_GROUP_MEMBERS,
    });
  }
  return [
    {
      type: 'ChatConversationStarted',
      data: { conversationId: command.conversationId, kind: 'group', startedBy: actorId, memberIds, title },
    },
  ];
}

/** Members already in the group are skipped; when all are, nothing is decided (a repeated add). */
function addMembers(
  command: ChatConversationCommandOf<'AddConversationMembers'>,
  conversation: StartedConversation,
  me: ConversationMember,
): Decision {
  requireAdmin(me);
  const present = new Set(conversation.members.map((member) => member.userId.toLowerCase()));
  const memberIds = distinctIds(command.userIds).filter((userId) => !present.has(userId.toLowerCase()));
  if (memberIds.length === 0) return [];
  if (present.size + memberIds.length > MAX_GROUP_MEMBERS) {
    throw conflict('GROUP_FULL', `A group has at most ${MAX_GROUP_MEMBERS} members`, {
      limit: MAX_GROUP_MEMBERS,
      members: present.size,
    });
  }
  return [
    {
      type: 'ChatMembersAdded',
      data: { conversationId: conversation.conversationId, memberIds, addedBy: me.userId },
    },
  ];
}

/**
 * Admins remove members; only the owner removes an admin, and nobody removes the owner (they
 * leave, and ownership passes on). Removing someone no longer there decides nothing.
 */
function removeMember(
  command: ChatConversationCommandOf<'RemoveConversationMember'>,
  conversation: StartedConversation,
  me: ConversationMember,
): Decision {
  requireAdmin(me);
  const target = conversation.members.find((member) => sameId(member.userId, command.userId));
  if (!target) return [];
  if (target.role === 'owner') throw forbidden('CANNOT_REMOVE_OWNER', 'The owner cannot be removed');
  if (target.role === 'admin' && me.role !== 'owner' && !sameId(target.userId, me.userId)) {
    throw forbidden('NOT_OWNER', 'Only the owner removes an admin');
  }
  return [
    {
      type: 'ChatMemberRemoved',
      data: { conversationId: conversation.conversationId, memberId: target.userId, removedBy: me.userId },
    },
  ];
}

/** An owner who leaves hands the group on in the same decision, so it is never without one. */
function leave(conversation: StartedConversation, me: ConversationMember): Decision {
  const { conversationId } = conversation;
  const left: Decision = [{ type: 'ChatMemberLeft', data: { conversationId, memberId: me.userId } }];
  if (me.role !== 'owner') return left;
  const successor = successorOf(conversation.members.filter((member) => !sameId(member.userId, me.userId)));
  if (!successor) return left;
  return [
    ...left,
    {
      type: 'ChatMemberRoleChanged',
      data: { conversationId, memberId: successor.userId, role: 'owner', changedBy: HANDOVER },
    },
  ];
}

/**
 * Only the owner changes roles. Making someone else the owner hands ownership over: the old owner
 * stays on as an admin. The owner's own role changes only that way, so there is always an owner.
 */
function changeRole(
  command: ChatConversationCommandOf<'ChangeConversationRole'>,
  conversation: StartedConversation,
  me: ConversationMember,
): Decision {
  if (me.role !== 'owner') throw forbidden('NOT_OWNER', 'Only the owner changes roles');
  const target = conversation.members.find((member) => sameId(member.userId, command.userId));
  if (!target) throw notFound('MEMBER_NOT_FOUND', 'No such member of this conversation');
  if (target.role === command.role) return [];
  if (sameId(target.userId, me.userId)) {
    throw conflict('OWNER_REQUIRED', 'Make someone else the owner to give up ownership');
  }
  const { conversationId } = conversation;
  const changed: Decision = [
    {
      type: 'ChatMemberRoleChanged',
      data: { conversationId, memberId: target.userId, role: command.role, changedBy: me.userId },
    },
  ];
  if (command.role !== 'owner') return changed;
  return [
    ...changed,
    {
      type: 'ChatMemberRoleChanged',
      data: { conversationId, memberId: me.userId, role: 'admin', changedBy: me.userId },
    },
  ];
}

function updateDetails(
  command: ChatConversationCommandOf<'UpdateConversationDetails'>,
  conversation: StartedConversation,
  me: ConversationMember,
): Decision {
  requireAdmin(me);
  const title = validTitle(command.title);
  const { avatarAssetId } = command;
  if (title === conversation.title && avatarAssetId === conversation.avatarAssetId) return [];
  return [
    {
      type: 'ChatConversationDetailsChanged',
      data: { conversationId: conversation.conversationId, title, avatarAssetId, changedBy: me.userId },
    },
  ];
}

/** Trimmed; blank is no title. */
function validTitle(raw: string | null): string | null {
  if (raw === null || raw.trim().length === 0) return null;
  return validOr(chatTitle, raw, 'INVALID_TITLE', `title (at most ${MAX_TITLE_LENGTH} characters)`);
}
