import type { SagaRef, UnpublishedDelivery } from './types.ts';

/** The `content.unpublished` delivery, stamped with the workflow's (deterministic) time. */
export function unpublishedDelivery(ref: SagaRef, brandId: string): UnpublishedDelivery {
  return {
    type: 'content.unpublished',
    contentId: ref.contentId,
    publicationId: ref.publicationId,
    brandId,
    unpublishedAt: new Date().toISOString(),
  };
}
