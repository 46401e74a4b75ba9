/**
 * Commands on one path's stream (`learningpath-<id>`). Who may publish in the community is the
 * service's check; so are the facts about modules, which live in their own streams: which of the
 * named modules belong to this path, and which have a published version.
 */
export type LearningPathCommand =
  | { type: 'CreateLearningPath'; communityId: string; pathId: string; title: string; description: string }
  | { type: 'UpdateLearningPath'; title: string; description: string }
  | {
      type: 'OrderLearningPathModules';
      moduleIds: readonly string[];
      /** Of `moduleIds`, those whose stream says they are modules of this path. */
      modulesOfPath: readonly string[];
    }
  | {
      type: 'PublishLearningPath';
      /** Of the path's ordered modules, those with a published version. */
      publishedModules: readonly string[];
    };
