import type pg from 'pg';
import type { TextModerator } from '../../media/moderation/text-moderator.ts';
import type { PersonalDataKeys } from '../../privacy/personal-data-keys.ts';
import type { ServiceDeps } from '../shared/command-context.ts';

/**
 * The read models chat mutations wait for: the `chat` read model, and `social_moderation` because
 * a reported or hidden message must be seen as such by the caller's next read.
 */
export const CHAT_READ_MODELS = ['chat', 'social_moderation'];

/**
 * What the chat use cases need: the command pipeline (its `settle` waits for CHAT_READ_MODELS), the
 * read side (membership, blocks, media assets, hidden content), the text check messages may pass
 * through, and the keys that encrypt message text, destroyed when a message is deleted for everyone.
 */
export type ChatDeps = ServiceDeps & {
  pool: pg.Pool;
  textModerator?: TextModerator;
  personalDataKeys: PersonalDataKeys;
};
