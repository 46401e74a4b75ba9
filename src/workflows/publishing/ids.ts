/**
 * Workflow ids derived from the triggering event, so a replayed event never starts a second saga.
 * Pure: shared by the reactions, the workflows and tests.
 */
export const publishingWorkflowId = (contentId: string, publicationId: string) =>
  `publishing-${contentId}-${publicationId}`;

/** One per ContentUnpublished event. */
export const unpublishingWorkflowId = (contentId: string, eventId: string) =>
  `unpublishing-${contentId}-${eventId}`;

/** Signal and query names, as the process manager and clients address them. */
export const CANCEL_PUBLICATION_SIGNAL = 'cancelPublication';
export const PROGRESS_QUERY = 'progress';

/** The actor every saga command is issued as (`system:publishing`). */
export const PUBLISHING_PROCESS = 'publishing';
