import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { sameId } from '../../domain/chat/chat-values.ts';
import { chatConversationAggregate } from '../../domain/chat/conversation-decider.ts';
import type { StartedConversation } from '../../domain/chat/conversation-state.ts';
import type { ChatMembershipFacts } from '../../domain/chat/message-commands.ts';
import { chatConversationStream } from '../../domain/chat/streams.ts';

/**
 * The conversation as its own stream tells it (the write side's truth): who is in it now and in
 * which role. Membership and roles are judged from this, never from the read model, so a member
 * removed or an admin demoted a moment ago cannot act on what the projection has not caught up with
 * (nor for ever, were it stuck). Null when there is no such conversation.
 */
export async function conversationOnRecord(
  deps: LoadDeps,
  conversationId: string,
): Promise<StartedConversation | null> {
  const { state } = await loadAggregate(
    deps,
    chatConversationAggregate,
    chatConversationStream(conversationId),
  );
  return state.status === 'started' ? state : null;
}

/** The person's place in the conversation on record; null for a stranger or a former member. */
export function membershipIn(
  conversation: StartedConversation | null,
  userId: string,
): ChatMembershipFacts | null {
  const member = conversation?.members.find((candidate) => sameId(candidate.userId, userId));
  return member ? { active: true, role: member.role } : null;
}
