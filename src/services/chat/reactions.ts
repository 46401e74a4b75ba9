import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { chatMessageAggregate } from '../../domain/chat/message-decider.ts';
import { chatMessageStream } from '../../domain/chat/streams.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { ChatDeps } from './chat-deps.ts';
import { conversationFacts } from './chat-facts.ts';
import { blockedInDirect, membershipSeeing } from './messages.ts';

/** Loose: the decider's INVALID_EMOJI says what a reaction may be. */
export const reactionInput = z.object({
  id: z.uuid(),
  emoji: z.string().max(64),
  idempotencyKey: z.string().min(8).max(128).nullish(),
});

/**
 * A member reacts to a message they can see, once per emoji (asking again changes nothing). In a
 * direct conversation a block stops reactions as it stops messages: both are something said.
 */
export async function reactToChatMessage(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = reactionInput.parse(raw);
  const { id, emoji } = parsed;
  const userId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `reactToChatMessage:${id}`, parsed);
  const loaded = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  const seeing = await membershipSeeing(deps, loaded.state, userId);
  if (seeing && loaded.state.status !== 'none') {
    const { conversationId } = loaded.state;
    const conversation = await conversationFacts(deps.pool, conversationId);
    if (conversation?.kind === 'direct' && (await blockedInDirect(deps, conversationId, userId))) {
      throw forbidden('BLOCKED', 'You cannot react to this person’s messages');
    }
  }
  await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, nowFrom(deps), { type: 'ReactToChatMessage', emoji, membership: seeing }),
  );
  return id;
}

/** Takes a reaction back; one that is not there changes nothing. */
export async function removeChatReaction(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = reactionInput.parse(raw);
  const { id, emoji } = parsed;
  const userId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `removeChatReaction:${id}`, parsed);
  const loaded = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, nowFrom(deps), {
      type: 'RemoveChatReaction',
      emoji,
      membership: await membershipSeeing(deps, loaded.state, userId),
    }),
  );
  return id;
}
