/**
 * Commands on one module's stream (`learningmodule-<id>`). Who may publish in the community, that
 * the path is the community's, and that every media asset is a ready asset of the author's are the
 * service's checks, made before deciding.
 */
export type LearningModuleCommand =
  | {
      type: 'DraftLearningModule';
      communityId: string;
      pathId: string;
      moduleId: string;
      title: string;
      body: string;
      mediaAssetIds: readonly string[];
    }
  | {
      type: 'ReviseLearningModule';
      /** The version the author edited: another author's revision since then is a CONFLICT. */
      baseVersion: number;
      title: string;
      body: string;
      mediaAssetIds: readonly string[];
    }
  | { type: 'PublishLearningModule'; version: number };
