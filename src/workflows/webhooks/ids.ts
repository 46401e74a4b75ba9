/**
 * Names the webhook delivery workflow and its signal. Pure: shared by the reactions, the workflow
 * and tests.
 */

/** One long-running workflow per webhook, for its whole life (continued as new to bound history). */
export const eventWebhookWorkflowId = (webhookId: string) => `eventwebhook-${webhookId}`;

/** Pause, resume, replay, suspension and deletion wake the workflow: it reads the webhook again. */
export const WEBHOOK_CHANGED_SIGNAL = 'eventWebhookChanged';
