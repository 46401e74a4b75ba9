import type { SyncChangeType } from '../../../domain/sync/change-types.ts';
import type { SyncApplier } from './applier.ts';
import { chatMessage } from './appliers/chat-message.ts';
import { checkpointAnswer } from './appliers/checkpoint-answer.ts';
import { communityMarkHelpful } from './appliers/community-mark-helpful.ts';
import { communityJoin, communityLeave } from './appliers/community-membership.ts';
import { communityReply } from './appliers/community-reply.ts';
import { moduleProgress } from './appliers/module-progress.ts';
import { postEdit } from './appliers/post-edit.ts';
import { profileUpdate } from './appliers/profile-update.ts';

/** One applier per change type (SYNC_CHANGE_TYPES): a type without one does not compile. */
export const SYNC_APPLIERS: Readonly<Record<SyncChangeType, SyncApplier>> = {
  'checkpoint.answer': checkpointAnswer,
  'module.progress': moduleProgress,
  'profile.update': profileUpdate,
  'community.join': communityJoin,
  'community.leave': communityLeave,
  'community.reply': communityReply,
  'community.markHelpful': communityMarkHelpful,
  'post.edit': postEdit,
  'chat.message': chatMessage,
};
