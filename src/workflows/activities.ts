import type pg from 'pg';
import type { AiProvider } from '../ai/provider.ts';
import type { EventCodec } from '../commands/event-codec.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import type { MediaModerator } from '../media/moderation/moderator.ts';
import type { OutboundPolicy } from '../net/outbound-policy.ts';
import type { Mailer } from '../notifications/email/mailer.ts';
import type { PushSender } from '../notifications/push/push-sender.ts';
import type { ChangeBus } from '../projections/change-bus.ts';
import type { ObjectStorage } from '../storage/port.ts';
import { createAccountEmailActivities } from './account-emails/activities.ts';
import { createMatchingActivities } from './matching/activities.ts';
import { createNotificationActivities } from './notifications/activities.ts';
import { createPublishingActivities } from './publishing/activities.ts';
import { createTranscodingActivities } from './transcoding/activities.ts';
import type { MediaSettings } from './transcoding/deps.ts';
import { createEventWebhookActivities } from './webhooks/activities.ts';

/**
 * What activities may use: they act by issuing commands (through the command pipeline, with
 * command ids derived from the workflow id and step, so a retried activity appends nothing new)
 * and by calling adapters. Sagas add the adapters they need here.
 */
export interface ActivityDeps {
  store: EventStore;
  codec: EventCodec;
  log: Logger;
  clock?: () => Date;
  /** Claims review and metadata generation (publishing). */
  ai: AiProvider;
  /** The server secret each webhook channel's and integrator webhook's signing key derives from. */
  authSecret: Uint8Array;
  /** Which internal webhook targets are allowed (publishing, integrator webhooks); none when unset. */
  outbound?: OutboundPolicy;
  /** Originals are read and renditions written here (transcoding). */
  storage: ObjectStorage;
  /** Local rules, then OpenAI's moderation when a key is set (transcoding). */
  moderator: MediaModerator;
  media?: MediaSettings;
  /** The read models candidates are ranked from (matching); webhook owners and cursors (webhooks). */
  pool: pg.Pool;
  /** SMTP (SMTP_URL) for account e-mails and notifications; null when unset: they are settled 'skipped'. */
  mailer: Mailer | null;
  /** The base of links in e-mails (PUBLIC_URL). */
  publicUrl: string;
  /** Web Push to registered devices (notification delivery). */
  push: PushSender;
  /** The projector's progress: notification planning waits for its read model to reach the event. */
  bus?: ChangeBus;
}

/**
 * Every activity the worker offers, as closures over their dependencies (Temporal's samples'
 * `createActivities(deps)`): a saga adds `...createPublishingActivities(deps)` here, and its
 * workflow imports the `Activities` type only (`proxyActivities<Activities>`), never this module.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPublishingActivities(deps),
    ...createTranscodingActivities(deps),
    ...createMatchingActivities(deps),
    ...createEventWebhookActivities(deps),
    ...createNotificationActivities(deps),
    ...createAccountEmailActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
