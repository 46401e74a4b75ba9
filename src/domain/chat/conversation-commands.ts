import type { MemberRole } from './chat-values.ts';

/**
 * Commands on one conversation's stream (`chatconv-<id>`). Membership is the stream's own state,
 * so they carry only what lives elsewhere: whether the two people of a direct conversation blocked
 * one another, as the service read it before deciding. Whether the people named exist is the
 * service's check (NOT_FOUND USER_NOT_FOUND) too.
 */
export type ChatConversationCommand =
  | {
      type: 'StartDirectConversation';
      /** directConversationId(starter, otherUserId): the pair's one conversation. */
      conversationId: string;
      otherUserId: string;
      /** Either of the two blocked the other. */
      blocked: boolean;
    }
  | {
      type: 'CreateGroupConversation';
      conversationId: string;
      /** Trimmed; blank means no title. */
      title: string | null;
      /** Besides the creator (who is added anyway, as owner); duplicates count once. */
      memberIds: readonly string[];
    }
  | { type: 'AddConversationMembers'; userIds: readonly string[] }
  | { type: 'RemoveConversationMember'; userId: string }
  | { type: 'LeaveConversation' }
  | { type: 'ChangeConversationRole'; userId: string; role: MemberRole }
  | {
      type: 'UpdateConversationDetails';
      /** The details as they should be: null clears the title or the avatar. */
      title: string | null;
      /** An image asset of the actor's, checked by the service. */
      avatarAssetId: string | null;
    };

export type ChatConversationCommandOf<Type extends ChatConversationCommand['type']> = Extract<
  ChatConversationCommand,
  { type: Type }
>;
