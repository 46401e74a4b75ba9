import type { CommunitySettings } from './community-values.ts';
import type { CommunityRole } from './policy.ts';

/**
 * Commands on a community's own stream (`community-<id>`). The actor's role lives in their
 * membership stream, so the service reads it (access.ts) and hands it in: null for someone who
 * holds none (a stranger, a former member).
 */
export type CommunityCommand =
  | {
      type: 'CreateCommunity';
      /** Derived from the command id by the service, so a retried creation finds its community. */
      communityId: string;
      settings: CommunitySettings;
    }
  | {
      type: 'ChangeCommunitySettings';
      /** The settings as they should be, every field (what the event records). */
      settings: CommunitySettings;
      actorRole: CommunityRole | null;
    }
  | {
      type: 'EraseCommunity';
      /** Why, for the audit trail: 1..500 characters. */
      reason: string;
      actorRole: CommunityRole | null;
    };

export type CommunityCommandOf<Type extends CommunityCommand['type']> = Extract<
  CommunityCommand,
  { type: Type }
>;
