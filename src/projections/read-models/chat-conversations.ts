import type { ChatConversationEvent } from '../../domain/chat/conversation-events.ts';
import type { ReadModelWriter, Row } from '../projection.ts';
import { CHAT_CONVERSATIONS, CHAT_MEMBERS, touchConversation, writeTimeline } from './chat-rows.ts';

/**
 * Membership, roles and details. A member who leaves or is removed keeps their row, inactive, so a
 * re-added member is the same row made active again: from the new position on (the history before
 * it stays theirs to not see), receipts back to none, their own settings kept since the member
 * stream that holds them lives on. `member_count` counts active rows, kept exact by only counting
 * real transitions between active and inactive.
 */
export async function applyChatConversationEvent(
  event: ChatConversationEvent,
  writer: ReadModelWriter,
  at: string,
  position: string,
): Promise<void> {
  const { conversationId } = event.data;
  const conversation = { conversation_id: conversationId };
  switch (event.type) {
    case 'ChatConversationStarted': {
      const { kind, startedBy, title } = event.data;
      const memberIds = sameMembers(event.data.memberIds);
      writer.upsert(CHAT_CONVERSATIONS, {
        ...conversation,
        kind,
        title,
        avatar_asset_id: null,
        started_by: startedBy,
        started_at: at,
        member_count: memberIds.length,
        last_message_id: null,
        last_message_position: null,
        last_activity_at: at,
        last_activity_position: position,
      });
      for (const userId of memberIds) {
        // A direct conversation has no owner: neither of the two can do more than the other.
        const role = kind === 'group' && userId === startedBy.toLowerCase() ? 'owner' : 'member';
        writer.upsert(CHAT_MEMBERS, joined(conversationId, userId, role, at, position));
      }
      writeTimeline(writer, conversationId, position, 'members_changed', at, single(memberIds));
      return;
    }
    case 'ChatMembersAdded': {
      const memberIds = sameMembers(event.data.memberIds);
      let added = 0;
      for (const userId of memberIds) {
        const current = await writer.get(CHAT_MEMBERS, { ...conversation, user_id: userId });
        if (current?.active === true) continue;
        writer.upsert(CHAT_MEMBERS, {
          ...joined(conversationId, userId, 'member', at, position),
          ...(current ? { muted: current.muted, archived: current.archived, pinned: current.pinned } : {}),
        });
        added++;
      }
      await changeCount(writer, conversationId, added);
      await touchConversation(writer, conversationId, position, at);
      writeTimeline(writer, conversationId, position, 'members_changed', at, single(memberIds));
      return;
    }
    case 'ChatMemberRemoved':
    case 'ChatMemberLeft': {
      const memberId = event.data.memberId.toLowerCase();
      const key = { ...conversation, user_id: memberId };
      const current = await writer.get(CHAT_MEMBERS, key);
      if (current?.active === true) {
        writer.upsert(CHAT_MEMBERS, { ...current, active: false, left_at: at });
        await changeCount(writer, conversationId, -1);
      }
      await touchConversation(writer, conversationId, position, at);
      writeTimeline(writer, conversationId, position, 'members_changed', at, { userId: memberId });
      return;
    }
    case 'ChatMemberRoleChanged': {
      const { role } = event.data;
      const memberId = event.data.memberId.toLowerCase();
      await writer.update(CHAT_MEMBERS, { ...conversation, user_id: memberId }, { role });
      writeTimeline(writer, conversationId, position, 'members_changed', at, { userId: memberId });
      return;
    }
    case 'ChatConversationDetailsChanged': {
      const { title, avatarAssetId } = event.data;
      await touchConversation(writer, conversationId, position, at, {
        title,
        avatar_asset_id: avatarAssetId,
      });
      writeTimeline(writer, conversationId, position, 'details_changed', at);
      return;
    }
  }
}

function joined(conversationId: string, userId: string, role: string, at: string, position: string): Row {
  return {
    conversation_id: conversationId,
    user_id: userId,
    role,
    active: true,
    joined_at: at,
    joined_position: position,
    left_at: null,
    delivered_position: '0',
    read_position: '0',
    muted: false,
    archived: false,
    pinned: false,
  };
}

/**
 * The members an event names, each once and lower-cased. The uuid columns fold case, so two
 * spellings of one person (stored before the services normalised ids) would be two upserts of one
 * row in a batch, which PostgreSQL refuses, stopping the projection; the writer's keys are compared
 * as text, so every id it is given is spelled the one way.
 */
const sameMembers = (memberIds: readonly string[]) => [...new Set(memberIds.map((id) => id.toLowerCase()))];

/** The timeline names the member when the change is about one. */
const single = (memberIds: readonly string[]) =>
  memberIds.length === 1 && memberIds[0] !== undefined ? { userId: memberIds[0] } : {};

async function changeCount(writer: ReadModelWriter, conversationId: string, by: number): Promise<void> {
  if (by === 0) return;
  const key = { conversation_id: conversationId };
  const current = await writer.get(CHAT_CONVERSATIONS, key);
  if (current)
    writer.upsert(CHAT_CONVERSATIONS, { ...current, member_count: Number(current.member_count) + by });
}
