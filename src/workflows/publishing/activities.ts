import { feedPath } from '../../api/content/feed-route.ts';
import { postWebhook } from '../../channels/webhook-channel.ts';
import { channelSigningSecret } from '../../channels/webhook-signature.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { brandAggregate } from '../../domain/brands/brand-decider.ts';
import { activeClaims, type Brand } from '../../domain/brands/brand-state.ts';
import { brandStream } from '../../domain/brands/streams.ts';
import { contentDecider } from '../../domain/content/content-decider.ts';
import { contentAggregate } from '../../domain/content/content-decider.ts';
import { type Content, versionOf } from '../../domain/content/content-state.ts';
import type {
  ContentMetadata,
  NotificationOutcome,
  PublishFailureStage,
  PublishStep,
  PublishStepOutcome,
} from '../../domain/content/content-values.ts';
import { contentStream } from '../../domain/content/streams.ts';
import { fold } from '../../domain/shared/decider.ts';
import { DomainError, notFound } from '../../domain/shared/domain-error.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { asActivity, generateOnce, issue, sagaId, withHeartbeat } from './activity-support.ts';
import type {
  Delivery,
  DeliveryReceipt,
  PublicationPlan,
  SagaRef,
  UnpublishPlan,
  Verdict,
  WebhookChannel,
} from './types.ts';

/** Longest text the claims review takes; longer content is refused rather than half reviewed. */
const REVIEWABLE_CHARACTERS = 50_000;
/** Reasons and details are stored in events that hold at most 2,000 characters each. */
const NOTE_LIMIT = 2_000;

/**
 * The publishing saga's activities, as closures over their dependencies. Each acts through the
 * command pipeline with an id derived from the saga and the step, so Temporal may run any of them
 * again (a retry, a worker that died before reporting back) without appending anything twice.
 */
export function createPublishingActivities(deps: PublishingDeps) {
  const log = deps.log.child({ component: 'publishing-activities' });

  const loadContent = async (contentId: string): Promise<Content> => {
    const { state } = await loadAggregate(deps, contentAggregate, contentStream(contentId));
    if (state.status === 'none') throw notFound('CONTENT_NOT_FOUND', `No content ${contentId}`);
    return state;
  };
  const loadBrand = async (brandId: string): Promise<Brand | undefined> => {
    const { state } = await loadAggregate(deps, brandAggregate, brandStream(brandId));
    return state.status === 'none' ? undefined : state;
  };

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
        const content = await loadContent(ref.contentId);
        const publication = content.publication;
        if (publication?.publicationId !== ref.publicationId) {
          return { reasons: ['A newer publication replaced this one'] };
        }
        const brand = await loadBrand(content.brandId);
        const snapshot = versionOf(content, publication.version);
        const reasons = [
          ...(content.status === 'publishing' ? [] : [`The content is ${content.status}, not publishing`]),
          ...(brand?.status === 'active' ? [] : ['The brand is archived']),
          ...(snapshot?.title.trim() ? [] : ['The title is empty']),
          ...(snapshot && Object.values(snapshot.fields).some((value) => value.trim() !== '')
            ? []
            : ['Every field is empty']),
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

    /** The claims review against the brand's guardrails and the master claims of its country. */
    reviewCompliance(ref: SagaRef, plan: PublicationPlan): Promise<Verdict> {
      return asActivity(async () => {
        const brand = await loadBrand(plan.brandId);
        if (!brand) throw notFound('BRAND_NOT_FOUND', `No brand ${plan.brandId}`);
        const text = textOf(plan);
        if (text.length > REVIEWABLE_CHARACTERS) {
          return {
            ok: false,
            reasons: [`The content is longer than the ${REVIEWABLE_CHARACTERS} characters a review covers`],
          };
        }
        const masterClaims = activeClaims(brand)
          .filter((claim) => claim.country === brand.country)
          .map(({ claimId, text: claimText }) => ({ claimId, text: claimText }));
        const review = await withHeartbeat((signal) =>
          generateOnce(
            deps,
            ref,
            'compliance',
            {
              kind: 'claims_review',
              input: { text, country: brand.country, guardrails: brand.identity.guardrails, masterClaims },
              brandId: brand.brandId,
              contentId: ref.contentId,
            },
            signal,
          ),
        );
        const { compliant, issues } = review.output;
        if (compliant) return { ok: true };
        return { ok: false, reasons: issues.map((issue) => note(`${issue.explanation} “${issue.excerpt}”`)) };
      });
    },

    /** SEO metadata for the published version, recorded on the content (undone by `revertMetadata`). */
    generateMetadata(ref: SagaRef, plan: PublicationPlan): Promise<ContentMetadata> {
      return asActivity(async () => {
        const brand = await loadBrand(plan.brandId);
        if (!brand) throw notFound('BRAND_NOT_FOUND', `No brand ${plan.brandId}`);
        const generation = await withHeartbeat((signal) =>
          generateOnce(
            deps,
            ref,
            'metadata',
            {
              kind: 'metadata',
              input: {
                title: plan.title,
                text: Object.values(plan.fields).join('\n\n').slice(0, REVIEWABLE_CHARACTERS),
                language: brand.language,
              },
              brandId: brand.brandId,
              contentId: ref.contentId,
            },
            signal,
          ),
        );
        await issue(deps, ref, 'metadata', {
          type: 'RecordMetadata',
          publicationId: ref.publicationId,
          metadata: generation.output,
        });
        // The first metadata recorded for a publication stands; return that one.
        const publication = (await loadContent(ref.contentId)).publication;
        return publication?.metadata?.generated ?? generation.output;
      });
    },

    async revertMetadata(ref: SagaRef): Promise<void> {
      await asActivity(() =>
        issue(deps, ref, 'metadata:revert', { type: 'RevertMetadata', publicationId: ref.publicationId }),
      );
    },

    /** One signed POST; Temporal retries it (same idempotency key) per the delivery retry policy. */
    deliverWebhook(
      ref: Pick<SagaRef, 'sagaId' | 'contentId'>,
      channel: WebhookChannel,
      delivery: Delivery,
      timeoutMs: number,
    ): Promise<DeliveryReceipt> {
      return asActivity(() =>
        withHeartbeat(async (signal) => {
          const idempotencyKey = sagaId(ref.sagaId, `webhook:${channel.channelId}:${delivery.type}`);
          const response = await postWebhook({
            url: channel.url,
            body: JSON.stringify(delivery),
            secret: channelSigningSecret(deps.authSecret, channel.channelId),
            idempotencyKey,
            event: delivery.type,
            at: nowFrom(deps),
            timeoutMs,
            signal,
          });
          const location = response.location && response.location.length <= NOTE_LIMIT ? response.location : channel.url;
          log.info(
            { contentId: ref.contentId, channelId: channel.channelId, event: delivery.type, status: response.status },
            'webhook delivered',
          );
          return { status: response.status, location, idempotencyKey };
        }),
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
     * Records that the content left a channel. A publication that a newer one has replaced can no
     * longer be written to (STALE_PUBLICATION): that is reported back rather than failing, since
     * the channel itself has already been told.
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
          if (!(error instanceof DomainError && error.reason === 'STALE_PUBLICATION')) throw error;
          log.warn(
            { contentId: ref.contentId, publicationId: ref.publicationId, channelId },
            'channel unpublished, but a newer publication replaced this one: not recorded',
          );
          return { recorded: false };
        }
      });
    },

    /** The brand's admins and approvers and the content's creator hear how the publication went. */
    notifyStakeholders(ref: SagaRef, outcome: NotificationOutcome): Promise<string[]> {
      return asActivity(async () => {
        const content = await loadContent(ref.contentId);
        const brand = await loadBrand(content.brandId);
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

export type PublishingActivities = ReturnType<typeof createPublishingActivities>;

function textOf(plan: PublicationPlan): string {
  return [plan.title, ...Object.values(plan.fields)].filter((part) => part.trim() !== '').join('\n\n');
}

const note = (text: string) => (text.length <= NOTE_LIMIT ? text : `${text.slice(0, NOTE_LIMIT - 1)}…`);

const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
