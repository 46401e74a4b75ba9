import type { CheckpointGenerator, CheckpointRules } from './checkpoint-values.ts';

/**
 * Commands on one checkpoint's stream (`checkpoint-<id>`). Questions arrive unchecked (as the
 * client or the AI provider wrote them) and the decider validates them. That the module is the
 * community's and the actor may publish there are the service's checks.
 */
export type CheckpointCommand =
  | ({
      type: 'DraftCheckpoint';
      communityId: string;
      pathId: string;
      moduleId: string;
      checkpointId: string;
      questions: unknown;
      /** Null for a mentor's own draft; the model for a generated one. */
      generator: CheckpointGenerator | null;
    } & CheckpointRules)
  | ({
      type: 'ReviseCheckpoint';
      /** The version the mentor edited: a revision since then is a CONFLICT. */
      baseVersion: number;
      questions: unknown;
    } & CheckpointRules)
  | { type: 'ApproveCheckpoint'; version: number };
