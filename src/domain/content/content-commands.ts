import type { BrandRole, Channel, Workflow } from '../brands/brand-values.ts';
import type {
  ContentFields,
  ContentMetadata,
  DeliveryFailure,
  DeliveryOutcome,
  NotificationOutcome,
  PublishFailureStage,
  PublishStep,
  PublishStepOutcome,
} from './content-values.ts';

/**
 * What the service looked up on the content's brand before deciding: a decider sees only its own
 * stream. `role` is `brandAccessOf(brand, actor)`.
 */
export interface ContentAccess {
  role: BrandRole | null;
  brandArchived: boolean;
}

/** The brand's settings a content command depends on, as they are now. */
export interface BrandFacts {
  allowedContentTypes: readonly string[];
  workflow: Workflow;
  channels: readonly Channel[];
}

/** Commands people issue (through the API), carrying the access facts. */
export type ContentUserCommand =
  | {
      type: 'CreateContent';
      contentId: string;
      brandId: string;
      contentType: string;
      templateId?: string | null;
      title: string;
      fields?: ContentFields;
      metadata?: ContentMetadata;
      access: ContentAccess;
      brand: BrandFacts;
    }
  /** A new version; a part left out is copied from the current version. */
  | {
      type: 'UpdateContent';
      title?: string;
      fields?: ContentFields;
      metadata?: ContentMetadata;
      /** Refused with CONFLICT / VERSION_MISMATCH unless the content is at this version. */
      expectedVersion?: number;
      access: ContentAccess;
    }
  /**
   * A new version copying version `version`. `fields`: that version's fields as the service cleaned
   * them (a version stored before rich text was sanitised may hold markup no longer allowed);
   * absent, they are copied as stored.
   */
  | { type: 'RestoreVersion'; version: number; fields?: ContentFields; access: ContentAccess }
  | { type: 'SubmitContent'; access: ContentAccess; brand: BrandFacts }
  | { type: 'ApproveContent'; comment?: string | null; access: ContentAccess }
  | { type: 'RejectContent'; reason: string; access: ContentAccess }
  /** `publishAt` absent, null or not later than now: publish at once. */
  | {
      type: 'RequestPublish';
      publicationId: string;
      publishAt?: string | null;
      access: ContentAccess;
      brand: BrandFacts;
    }
  | { type: 'CancelPublish'; publicationId: string; access: ContentAccess }
  | { type: 'UnpublishContent'; reason?: string | null; access: ContentAccess }
  | { type: 'ArchiveContent'; access: ContentAccess };

/**
 * Commands the publishing saga issues (actor kind `system`) for one publication. Repeating one
 * whose fact is already recorded decides nothing, so activities may retry.
 */
export type ContentSagaCommand =
  | { type: 'StartPublication'; publicationId: string }
  | {
      type: 'RecordPublishStep';
      publicationId: string;
      step: PublishStep;
      outcome: PublishStepOutcome;
      detail?: string | null;
    }
  | { type: 'RecordMetadata'; publicationId: string; metadata: ContentMetadata }
  | { type: 'RevertMetadata'; publicationId: string }
  | { type: 'RecordChannelPublished'; publicationId: string; channelId: string; location?: string | null }
  | { type: 'RecordChannelUnpublished'; publicationId: string; channelId: string }
  /** How delivery attempt `attempt` to a webhook channel ended; `failure` says why one failed. */
  | {
      type: 'RecordDeliveryAttempt';
      publicationId: string;
      channelId: string;
      attempt: number;
      outcome: DeliveryOutcome;
      failure?: DeliveryFailure | null;
    }
  /** The channel failed for good (its retries gave up, or it refused for good). */
  | { type: 'RecordChannelFailed'; publicationId: string; channelId: string; failure: DeliveryFailure }
  | {
      type: 'RecordStakeholdersNotified';
      publicationId: string;
      outcome: NotificationOutcome;
      recipients: string[];
    }
  | { type: 'CompletePublication'; publicationId: string }
  | { type: 'FailPublication'; publicationId: string; stage: PublishFailureStage; reasons: string[] };

export type ContentCommand = ContentUserCommand | ContentSagaCommand;
