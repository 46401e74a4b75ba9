import { feedPath } from '../../channels/feed.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { contentAggregate, contentDecider } from '../../domain/content/content-decider.ts';
import { versionOf } from '../../domain/content/content-state.ts';
import type {
  DeliveryFailure,
  NotificationOutcome,
  PublishFailureStage,
  PublishStep,
  PublishStepOutcome,
} from '../../domain/content/content-values.ts';
import { contentStream } from '../../domain/content/streams.ts';
import { fold } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import { asActivity, issue, loadBrand, loadContent, note } from './activity-support.ts';
import type { PublicationPlan, SagaRef, UnpublishPlan } from './types.ts';

/** Refusals of RecordChannelUnpublished that leave nothing to do: the channel was told already. */
const UNRECORDABLE = ['STALE_PUBLICATION', 'CONTENT_ARCHIVED'];

/**
 * The saga's reads and commands on the content (`system:publishing`), each with a command id
 * derived from the saga and the step: retried, they append nothing twice.
 */
export function createCommandActivities(deps: PublishingDeps) {
  const log = deps.log.child({ component: 'publishing-activities' });
  return {
    async startPublication(ref: SagaRef): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, 'start', { type: 'StartPublication', publicationId: ref.publicationId }),
      );
    },

    async recordPublishStep(
      ref: SagaRef,
      step: PublishStep,
      outcome: PublishStepOutcome,
      detail: string | null = null,
    ): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, `step:${step}:${outcome}`, {
          type: 'RecordPublishStep',
          publicationId: ref.publicationId,
          step,
          outcome,
          detail: detail === null ? null : note(detail),
        }),
      );
    },

    /** Is the publication still worth doing, and what exactly goes out? */
    validatePublication(ref: SagaRef): Promise<{ plan: PublicationPlan } | { reasons: string[] }> {
      return asActivity(async () => {
        const content = await loadContent(deps, ref.contentId);
        const publication = content.publication;
        if (publication?.publicationId !== ref.publicationId) {
          return { reasons: ['A newer publication replaced this one'] };
        }
        const brand = await loadBrand(deps, content.brandId);
        const snapshot = versionOf(content, publication.version);
        const reasons = [
          ...(content.status === 'publishing' ? [] : [`The content is ${content.status}, not publishing`]),
          ...(brand ? [] : ['The brand no longer exists']),
          ...(brand?.status === 'archived' ? ['The brand is archived'] : []),
          ...(snapshot?.title.trim() ? [] : ['The title is empty']),
          ...(snapshot?.fields.some(({ value }) => value.trim() !== '') ? [] : ['Every field is empty']),
        ];
        if (!snapshot || reasons.length > 0) return { reasons };
        return {
          plan: {
            brandId: content.brandId,
            version: publication.version,
            title: snapshot.title,
            fields: snapshot.fields,
            channels: [...publication.channels],
          },
        };
      });
    },

    async revertMetadata(ref: SagaRef): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, 'metadata:revert', { type: 'RevertMetadata', publicationId: ref.publicationId }),
      );
    },

    async recordChannelPublished(ref: SagaRef, channelId: string, location: string | null): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, `channel:${channelId}:published`, {
          type: 'RecordChannelPublished',
          publicationId: ref.publicationId,
          channelId,
          location,
        }),
      );
    },

    /** The saga gave up on a channel: its final state, before the publication fails. */
    async recordChannelFailed(ref: SagaRef, channelId: string, failure: DeliveryFailure): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, `channel:${channelId}:failed`, {
          type: 'RecordChannelFailed',
          publicationId: ref.publicationId,
          channelId,
          failure,
        }),
      );
    },

    /** The feed channel is the brand's public feed: listing the content there is recording it. */
    async publishToFeed(ref: SagaRef, plan: PublicationPlan, channelId: string): Promise<string> {
      const location = feedPath(plan.brandId);
      await asActivity(() =>
        issue(deps, ref, `channel:${channelId}:published`, {
          type: 'RecordChannelPublished',
          publicationId: ref.publicationId,
          channelId,
          location,
        }),
      );
      return location;
    },

    /**
     * Records that the content left a channel. After ContentUnpublished the record can be refused
     * although the channel has already been told: a newer publication replaced this one
     * (STALE_PUBLICATION), or the content was archived meanwhile (CONTENT_ARCHIVED). That is
     * reported back and logged rather than failing the saga, which could not undo it anyway.
     */
    recordChannelUnpublished(ref: SagaRef, channelId: string): Promise<{ recorded: boolean }> {
      return asActivity(async () => {
        try {
          await issue(deps, ref, `channel:${channelId}:unpublished`, {
            type: 'RecordChannelUnpublished',
            publicationId: ref.publicationId,
            channelId,
          });
          return { recorded: true };
        } catch (error) {
          if (!(error instanceof DomainError && UNRECORDABLE.includes(error.reason))) throw error;
          log.warn(
            { contentId: ref.contentId, publicationId: ref.publicationId, channelId, reason: error.reason },
            'channel unpublished, but the content no longer accepts the record',
          );
          return { recorded: false };
        }
      });
    },

    /** The brand's admins and approvers and the content's creator hear how the publication went. */
    notifyStakeholders(ref: SagaRef, outcome: NotificationOutcome): Promise<string[]> {
      return asActivity(async () => {
        const content = await loadContent(deps, ref.contentId);
        const brand = await loadBrand(deps, content.brandId);
        const reviewers = Object.entries(brand?.members ?? {})
          .filter(([, role]) => role === 'admin' || role === 'approver')
          .map(([userId]) => userId);
        const recipients = [...new Set([content.createdBy, ...reviewers])].filter(isUuid).sort();
        await issue(deps, ref, `notify:${outcome}`, {
          type: 'RecordStakeholdersNotified',
          publicationId: ref.publicationId,
          outcome,
          recipients,
        });
        return recipients;
      });
    },

    async completePublication(ref: SagaRef): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, 'complete', { type: 'CompletePublication', publicationId: ref.publicationId }),
      );
    },

    async failPublication(ref: SagaRef, stage: PublishFailureStage, reasons: string[]): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, 'fail', {
          type: 'FailPublication',
          publicationId: ref.publicationId,
          stage,
          reasons: reasons.map(note),
        }),
      );
    },

    /**
     * What unpublishing takes down: the channels the content was on when ContentUnpublished was
     * recorded (the stream is folded up to that event, so a later publication does not confuse it).
     */
    planUnpublish(contentId: string, eventId: string): Promise<UnpublishPlan | null> {
      return asActivity(async () => {
        const { events } = await loadAggregate(deps, contentAggregate, contentStream(contentId));
        const at = events.findIndex((loaded) => loaded.recorded.id === eventId);
        if (at === -1) return null;
        const state = fold(
          contentDecider,
          events.slice(0, at + 1).map((loaded) => loaded.event),
        );
        if (state.status === 'none' || !state.publication) return null;
        const { publicationId, channels, channelsDone } = state.publication;
        return {
          publicationId,
          brandId: state.brandId,
          channels: channels.filter((channel) => channelsDone.includes(channel.channelId)),
        };
      });
    },
  };
}

const isUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
