/**
 * The worker's workflow bundle: every workflow Chronicle runs is exported from here (e.g.
 * `export { publishing } from './publishing/workflow.ts';`). This module runs in Temporal's
 * deterministic sandbox, bundled by webpack: it and what it imports may use `@temporalio/workflow`
 * and pure code only (no Node built-ins, no I/O, no clock, no randomness), and import activities
 * as types only.
 */
export { sendAccountEmail } from './account-emails/workflow.ts';
export { matchMentor } from './matching/workflow.ts';
export { sendNotificationDigest } from './notifications/digest-workflow.ts';
export { remindMentorshipSession } from './notifications/reminder-workflow.ts';
export { revokeUserDevices } from './notifications/revoke-workflow.ts';
export { deliverNotifications } from './notifications/workflow.ts';
export { unpublishContent } from './publishing/unpublish-workflow.ts';
export { publishContent } from './publishing/workflow.ts';
export { purgeMediaOutputs, transcodeMedia } from './transcoding/workflow.ts';
export { deliverEventWebhook } from './webhooks/workflow.ts';
