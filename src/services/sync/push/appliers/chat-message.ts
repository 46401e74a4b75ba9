import { chatMessageEventCatalogue } from '../../../../domain/chat/message-events.ts';
import { chatMessageStream } from '../../../../domain/chat/streams.ts';
import { sendChatMessage } from '../../../chat/messages.ts';
import type { SyncApplier } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';

/**
 * `chat.message`: a message written offline into the conversation the change names. Appends never
 * conflict, so there is no server value to read first; the message's id derives from the change id
 * (a retry finds the message it made), and the outcome reports the message.
 */
export const chatMessage: SyncApplier = {
  async locate() {
    return { entity: null, communityId: null };
  },
  async apply(deps, context, change, payload) {
    const messageId = await sendChatMessage(deps, context, {
      conversationId: change.entityId,
      text: payload.text,
      idempotencyKey: change.changeId,
    });
    return {
      entity: entityStream(chatMessageStream(messageId), chatMessageEventCatalogue),
      entityType: 'chatMessage',
      entityId: messageId,
    };
  },
};
