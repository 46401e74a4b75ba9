import type pg from 'pg';
import type { AiProvider } from '../../ai/provider.ts';
import type { PersonalDataKeys } from '../../privacy/personal-data-keys.ts';
import type { ServiceDeps } from '../shared/command-context.ts';

/**
 * The read models community mutations wait for (read-your-writes): membership, discussions,
 * learning content, progress and trust.
 */
export const COMMUNITY_READ_MODELS = [
  'communities',
  'community_discussions',
  'community_learning',
  'community_progress',
  'community_trust',
];

/**
 * What the community use cases need: the command pipeline, the read side, the AI provider that
 * drafts checkpoints, and the keys erasing a community destroys.
 */
export type CommunityDeps = ServiceDeps & {
  pool: pg.Pool;
  ai: AiProvider;
  personalDataKeys: PersonalDataKeys;
};
