import type pg from 'pg';
import type { EventCodec } from '../../commands/event-codec.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { Logger } from '../../logger.ts';
import type { Mailer } from '../../notifications/email/mailer.ts';
import type { PushSender } from '../../notifications/push/push-sender.ts';
import type { ChangeBus } from '../../projections/change-bus.ts';

/** What the notification activities need: the read models, the senders and the command pipeline. */
export interface NotificationDeliveryDeps {
  store: EventStore;
  codec: EventCodec;
  log: Logger;
  pool: pg.Pool;
  /** Hears the projector's progress, so planning starts as soon as the read model has the rows. */
  bus?: ChangeBus;
  push: PushSender;
  /** Null when SMTP_URL is unset: e-mail rows are then settled 'skipped'. */
  mailer: Pick<Mailer, 'send'> | null;
  /** The base of links in e-mails (PUBLIC_URL). */
  publicUrl: string;
  /** Unsubscribe links are signed with a key derived from it. */
  authSecret: Uint8Array;
}
