import { heartbeat } from '@temporalio/activity';
import { uuidv5 } from '../../commands/event-ids.ts';
import { describeNotification } from '../../domain/notifications/describe.ts';
import {
  isNotificationType,
  NOTIFICATION_TYPES,
  type NotificationType,
} from '../../domain/notifications/notification-types.ts';
import { renderNotificationEmail, unsubscribeHeaders } from '../../notifications/email/templates.ts';
import { unsubscribeUrl } from '../../notifications/email/unsubscribe.ts';
import type { SendOutcome } from '../../notifications/send-outcome.ts';
import { dropGoneDevice } from '../../services/notifications/devices.ts';
import {
  claimDelivery,
  type DeliveryKey,
  dueDeliveries,
  nextDueAt,
  type Settlement,
  settleAbandoned,
  settleDelivery,
  settleUnsent,
} from './deliveries.ts';
import type { NotificationDeliveryDeps } from './deps.ts';
import { backoffMs, type NotificationDeliverySettings } from './settings.ts';
import type { DeliveryProgress } from './types.ts';

/** Names the commands delivery issues (dropping a gone device), so a retry appends nothing new. */
const DELIVERY_NAMESPACE = 'e5a1c7f0-3b9d-4e26-8c41-7d0f2b9a6e15';

/** Rows read and sent per round: each round's content is read in a few queries, not one per row. */
const ROUND = 64;

/** The notification's inbox row went between planning and sending (its recipient was forgotten). */
const NO_INBOX_ROW = 'the notification is no longer in the inbox';

const NO_EMAIL = 'no e-mail address';

/**
 * Why an e-mail cannot go to this address, or null when it can. Notification e-mail goes to a
 * verified address only, except security notices: they go to the address on record, verified or
 * not, since they tell the owner of that address that something happened to the account.
 */
export function emailUnreachable(email: string | null, verified: boolean, security: boolean): string | null {
  if (email === null) return NO_EMAIL;
  if (!verified && !security) return 'no verified e-mail address';
  return null;
}

/** A push nobody could deliver within a day is stale news: the push service may drop it then. */
const PUSH_TTL_SECONDS = 24 * 60 * 60;

interface Content {
  recipientId: string;
  type: NotificationType;
  readAt: Date | null;
  title: string;
  body: string;
  path: string;
}

interface Recipient {
  email: string | null;
  verified: boolean;
  displayName: string | null;
  /** Only an active account's owner is told anything: not a deactivated or forgotten one. */
  active: boolean;
}

interface Device {
  endpoint: string | null;
  p256dh: string | null;
  auth: string | null;
  unregistered: boolean;
}

/**
 * Sends the event's pending rows that are due by `now` (the workflow's time, never the wall clock,
 * so time-skipping tests and replays agree), up to `deliveriesPerActivity`, `concurrency` at a
 * time. Each row is claimed right before its send and settled right after, so a worker that dies
 * leaves at most the rows in flight 'sending' — the next attempt settles those 'unknown'.
 * Returns when the next pending row falls due: now, when this activity stopped at its bound.
 */
export async function deliverDue(
  deps: NotificationDeliveryDeps,
  settings: NotificationDeliverySettings,
  input: { sourceEventId: string; now: string },
): Promise<DeliveryProgress> {
  const now = new Date(input.now);
  // Heartbeats while sends are in flight too: a slow push service is not a dead worker.
  const beat = setInterval(() => heartbeat(), 1_000);
  try {
    return await deliverRounds(deps, settings, input.sourceEventId, now);
  } finally {
    clearInterval(beat);
  }
}

async function deliverRounds(
  deps: NotificationDeliveryDeps,
  settings: NotificationDeliverySettings,
  sourceEventId: string,
  now: Date,
): Promise<DeliveryProgress> {
  const abandoned = await settleAbandoned(deps.pool, sourceEventId);
  if (abandoned > 0) {
    deps.log.warn({ sourceEventId, abandoned }, 'notification sends of a dead attempt settled unknown');
  }
  let handled = 0;
  while (handled < settings.deliveriesPerActivity) {
    const due = await dueDeliveries(
      deps.pool,
      sourceEventId,
      now,
      Math.min(ROUND, settings.deliveriesPerActivity - handled),
    );
    if (due.length === 0) break;
    const contents = await contentsOf(deps, due);
    let next = 0;
    const lane = async () => {
      for (let key = due[next++]; key !== undefined; key = due[next++]) {
        await deliverOne(deps, settings, key, contents, now);
        heartbeat();
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, due.length) }, lane));
    handled += due.length;
  }
  return { handled, nextDueAt: await nextDueAt(deps.pool, sourceEventId) };
}

interface Contents {
  notifications: Map<string, Content>;
  /** Why a row's notification has no content: its inbox row is gone, or names an unknown type. */
  missing: Map<string, string>;
  recipients: Map<string, Recipient>;
  devices: Map<string, Device>;
}

async function deliverOne(
  deps: NotificationDeliveryDeps,
  settings: NotificationDeliverySettings,
  key: DeliveryKey,
  contents: Contents,
  now: Date,
): Promise<void> {
  const content = contents.notifications.get(key.notificationId);
  if (content === undefined) {
    await settleUnsent(deps.pool, key, 'skipped', contents.missing.get(key.notificationId) ?? NO_INBOX_ROW);
    return;
  }
  if (contents.recipients.get(content.recipientId)?.active !== true) {
    // Deactivated or forgotten after planning (a quiet-hours wait, a retry's backoff).
    await settleUnsent(deps.pool, key, 'skipped', 'the account is no longer active');
    return;
  }
  // Someone who already read it in the app needs no push or e-mail about it (security notices go
  // out regardless: they are the record of what happened to the account).
  if (content.readAt !== null && !NOTIFICATION_TYPES[content.type].security) {
    await settleUnsent(deps.pool, key, 'skipped', 'read before it went out');
    return;
  }
  const send = await prepareSend(deps, key, content, contents);
  if ('unsent' in send) {
    await settleUnsent(deps.pool, key, send.unsent.state, send.unsent.reason);
    return;
  }
  const attempt = await claimDelivery(deps.pool, key);
  if (attempt === null) return;
  let outcome: SendOutcome;
  try {
    outcome = await send.send();
  } catch (error) {
    // The senders answer with outcomes; a throw is a fault of ours, worth another try later.
    outcome = { outcome: 'transient', reason: error instanceof Error ? error.message : String(error) };
  }
  const settlement = await settlementOf(deps, settings, key, outcome, attempt, now);
  await settleDelivery(deps.pool, key, settlement);
  const log = { notificationId: key.notificationId, channel: key.channel, target: key.target, attempt };
  if (settlement.state === 'sent') deps.log.debug(log, 'notification sent');
  else deps.log.info({ ...log, state: settlement.state, reason: settlement.reason }, 'notification not sent');
}

type Prepared =
  | { send: () => Promise<SendOutcome> }
  | { unsent: { state: 'dropped' | 'skipped'; reason: string } };

function prepareSend(
  deps: NotificationDeliveryDeps,
  key: DeliveryKey,
  content: Content,
  contents: Contents,
): Prepared {
  const message = {
    notificationId: key.notificationId,
    type: content.type,
    title: content.title,
    body: content.body,
    path: content.path,
  };
  if (key.channel === 'push') {
    const device = contents.devices.get(key.target);
    if (device === undefined || device.unregistered) {
      return { unsent: { state: 'dropped', reason: 'the device was unregistered' } };
    }
    if (device.endpoint === null || device.p256dh === null || device.auth === null) {
      return { unsent: { state: 'dropped', reason: 'the device has no push subscription' } };
    }
    const target = {
      deviceId: key.target,
      endpoint: device.endpoint,
      p256dh: device.p256dh,
      auth: device.auth,
    };
    return {
      send: () =>
        deps.push.send(target, message, {
          ttlSeconds: PUSH_TTL_SECONDS,
          urgency: NOTIFICATION_TYPES[content.type].security ? 'high' : 'normal',
          // A topic replaces an undelivered push with the same topic: the id without dashes is 32
          // characters, the most a topic may have.
          topic: key.notificationId.replaceAll('-', ''),
        }),
    };
  }
  const mailer = deps.mailer;
  if (mailer === null) return { unsent: { state: 'skipped', reason: 'SMTP_URL unset' } };
  const recipient = contents.recipients.get(content.recipientId);
  const security = NOTIFICATION_TYPES[content.type].security;
  const unreachable = emailUnreachable(recipient?.email ?? null, recipient?.verified ?? false, security);
  if (unreachable !== null || recipient?.email == null) {
    return { unsent: { state: 'skipped', reason: unreachable ?? NO_EMAIL } };
  }
  const to = recipient.email;
  const unsubscribe = unsubscribeUrl(deps.publicUrl, deps.authSecret, content.recipientId, content.type);
  const email = renderNotificationEmail({
    type: content.type,
    title: content.title,
    body: content.body,
    path: content.path,
    publicUrl: deps.publicUrl,
    unsubscribeUrl: unsubscribe,
    recipientName: recipient.displayName,
  });
  return {
    send: () =>
      mailer.send({
        to,
        ...email,
        messageId: `<${key.notificationId}.email@chronicle>`,
        // A security notice cannot be unsubscribed from (its e-mail channel cannot be switched
        // off), so it offers no one-click unsubscribe a mail client would show as working.
        ...(security ? {} : { headers: unsubscribeHeaders(unsubscribe) }),
      }),
  };
}

async function settlementOf(
  deps: NotificationDeliveryDeps,
  settings: NotificationDeliverySettings,
  key: DeliveryKey,
  sent: SendOutcome,
  attempt: number,
  now: Date,
): Promise<Settlement> {
  switch (sent.outcome) {
    case 'sent':
      return { state: 'sent' };
    case 'gone':
      // The push service says the subscription is gone for good: the device is dropped, so no
      // later notification tries it either.
      await dropGoneDevice(
        deps,
        key.target,
        uuidv5(`gone:${key.notificationId}:${key.target}`, DELIVERY_NAMESPACE),
      );
      return { state: 'dropped', reason: sent.reason };
    case 'permanent':
      return { state: 'failed', reason: sent.reason };
    case 'unknown':
      // It left and no answer came: it may have been delivered, so it is not sent again.
      return { state: 'unknown', reason: sent.reason };
    case 'transient':
      if (attempt >= settings.maximumAttempts) {
        return { state: 'failed', reason: `gave up after ${attempt} attempts: ${sent.reason}` };
      }
      return {
        state: 'pending',
        reason: sent.reason,
        dueAt: new Date(now.getTime() + backoffMs(settings, attempt, sent.retryAfterMs)),
      };
  }
}

/** The round's notifications (described), recipients and devices, in three queries. */
async function contentsOf(deps: NotificationDeliveryDeps, keys: readonly DeliveryKey[]): Promise<Contents> {
  const ids = [...new Set(keys.map((key) => key.notificationId))];
  const { rows } = await deps.pool.query<{
    notification_id: string;
    recipient_id: string;
    type: string;
    subject_kind: string;
    subject_id: string;
    actor_ids: string[];
    actor_count: number;
    data: Record<string, unknown>;
    read_at: Date | null;
  }>(
    `select notification_id, recipient_id, type, subject_kind, subject_id, actor_ids, actor_count, data, read_at
       from notification_inbox where notification_id = any($1::uuid[])`,
    [ids],
  );
  const people = new Set<string>();
  for (const row of rows) {
    people.add(row.recipient_id);
    for (const actor of row.actor_ids) people.add(actor);
  }
  const deviceIds = keys.filter((key) => key.channel === 'push').map((key) => key.target);
  const [users, devices] = await Promise.all([
    deps.pool.query<{
      user_id: string;
      email: string | null;
      verified: boolean;
      display_name: string | null;
      active: boolean;
    }>(
      `select user_id, email, email_verified_at is not null as verified, display_name,
              status = 'active' as active
         from users where user_id = any($1::uuid[])`,
      [[...people]],
    ),
    deps.pool.query<{
      device_id: string;
      push_endpoint: string | null;
      push_p256dh: string | null;
      push_auth: string | null;
      unregistered: boolean;
    }>(
      `select device_id, push_endpoint, push_p256dh, push_auth, unregistered_at is not null as unregistered
         from devices where device_id = any($1::uuid[])`,
      [deviceIds],
    ),
  ]);
  const recipients = new Map(
    users.rows.map((row) => [
      row.user_id,
      { email: row.email, verified: row.verified, displayName: row.display_name, active: row.active },
    ]),
  );
  const notifications = new Map<string, Content>();
  const missing = new Map<string, string>(ids.map((id) => [id, NO_INBOX_ROW]));
  for (const row of rows) {
    missing.delete(row.notification_id);
    // A row from an older release naming a type this one does not know: nothing to say about it.
    if (!isNotificationType(row.type)) {
      missing.set(row.notification_id, 'unknown notification type');
      continue;
    }
    const described = describeNotification({
      type: row.type,
      actorNames: row.actor_ids.map((id) => recipients.get(id)?.displayName ?? null),
      actorCount: row.actor_count,
      subjectKind: row.subject_kind,
      subjectId: row.subject_id,
      data: row.data,
    });
    notifications.set(row.notification_id, {
      recipientId: row.recipient_id,
      type: row.type,
      readAt: row.read_at,
      ...described,
    });
  }
  return {
    notifications,
    missing,
    recipients,
    devices: new Map(
      devices.rows.map((row) => [
        row.device_id,
        {
          endpoint: row.push_endpoint,
          p256dh: row.push_p256dh,
          auth: row.push_auth,
          unregistered: row.unregistered,
        },
      ]),
    ),
  };
}
