import { uuidv5 } from '../../commands/event-ids.ts';
import { effectiveChannels } from '../../domain/notifications/channels.ts';
import { describeNotification } from '../../domain/notifications/describe.ts';
import {
  isNotificationType,
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
} from '../../domain/notifications/notification-types.ts';
import { deliverableAt } from '../../domain/notifications/quiet-hours.ts';
import { DIGEST_MAX_ITEMS, type DigestItem, renderDigestEmail } from '../../notifications/email/templates.ts';
import { NOTIFICATION_PREFERENCES_PROJECTION } from '../../projections/read-models/notification-preferences.ts';
import { waitForPosition } from '../../projections/wait-for-position.ts';
import { claimDelivery, SILENT_BUS, settleDelivery } from './deliveries.ts';
import type { NotificationDeliveryDeps } from './deps.ts';
import { type PreferencesRow, preferencesOf } from './preferences-row.ts';

/** Names each digest's id in `notification_deliveries` (a random v4 UUID, fixed forever). */
const DIGEST_NAMESPACE = '6d2e9a41-0c7b-4b8e-a3f5-91d7c4e2b086';

/** The digest goes out at 08:00 in the person's time zone. */
const DIGEST_TIME = '08:00';

/** A first digest (no earlier one) covers the day before it. */
const FIRST_DIGEST_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface DigestSchedule {
  enabled: boolean;
  /**
   * The account is deactivated or forgotten (or never existed): there will never be a digest
   * again, and the workflow ends. Nothing reactivates an account today.
   */
  ended: boolean;
  /** The next 08:00 in the person's zone at or after the instant asked about (ISO). */
  at: string;
}

/**
 * Whether the person takes the digest now, and when the next one is due. The next local 08:00 is
 * found with the quiet-hours arithmetic (time zones, daylight-saving changes): quiet hours from
 * 08:01 to 08:00 end at the next 08:00, and an instant within the 08:00 minute is already outside.
 */
export async function digestSchedule(
  deps: Pick<NotificationDeliveryDeps, 'pool' | 'bus'>,
  input: { userId: string; after: string; position: string },
): Promise<DigestSchedule> {
  const { userId, after } = input;
  // The preferences as of the change that woke the workflow: an older row would read "off".
  // The users read model too: a deactivation or erasure wakes the workflow (with its position).
  const reached = await waitForPosition(deps.pool, deps.bus ?? SILENT_BUS, BigInt(input.position), {
    timeoutMs: 30_000,
    projections: [NOTIFICATION_PREFERENCES_PROJECTION, 'users'],
  });
  if (!reached) throw new Error(`The preferences read model has not reached position ${input.position}`);
  const { rows } = await deps.pool.query<PreferencesRow & { status: string }>(
    `select u.status, p.time_zone, p.quiet_start, p.quiet_end, p.email_digest, p.channels
       from users u left join notification_preferences p on p.user_id = u.user_id
      where u.user_id = $1`,
    [userId],
  );
  const row = rows[0];
  if (row?.status !== 'active') return { enabled: false, ended: true, at: after };
  const prefs = preferencesOf(row);
  const timeZone = prefs?.timeZone ?? 'UTC';
  const at = deliverableAt(
    new Date(after),
    { timeZone, quietHours: { start: '08:01', end: DIGEST_TIME } },
    'email',
  );
  return { enabled: prefs?.emailDigest ?? false, ended: false, at: at.toISOString() };
}

export type DigestOutcome =
  | { state: 'sent'; count: number }
  | { state: 'nothing' | 'off' | 'unreachable' | 'already' | 'inactive'; count: number }
  /** Sent, and no answer came back: it may have arrived, and is not sent again. */
  | { state: 'unknown'; count: number; reason: string }
  | { state: 'failed' | 'pending'; count: number; reason: string };

/**
 * E-mails the person their unread notifications updated in (since, now], newest first, the first
 * DIGEST_MAX_ITEMS listed and the rest counted — of the types whose e-mail channel is on for them,
 * security notices left out (they went out on their own). Nothing unread, no verified address, the
 * digest switched off or the account no longer active: no e-mail. The digest is one `notification_deliveries` row (kind 'digest', its id
 * derived from the person and the window's end), claimed and settled like any notification: a
 * retried activity never sends a digest twice. A transient failure is left 'pending' for the
 * workflow to retry; a permanent one is recorded 'failed'.
 */
export async function sendDigest(
  deps: NotificationDeliveryDeps,
  input: { userId: string; since: string | null; now: string; maximumAttempts: number },
): Promise<DigestOutcome> {
  const { userId, now } = input;
  const since = input.since ?? new Date(Date.parse(now) - FIRST_DIGEST_WINDOW_MS).toISOString();
  const { rows: users } = await deps.pool.query<
    PreferencesRow & {
      email: string | null;
      verified: boolean | null;
      display_name: string | null;
      status: string;
    }
  >(
    `select u.email, u.email_verified_at is not null as verified, u.display_name, u.status,
            p.time_zone, p.quiet_start, p.quiet_end, p.email_digest, p.channels
       from users u left join notification_preferences p on p.user_id = u.user_id
      where u.user_id = $1`,
    [userId],
  );
  const user = users[0];
  if (user?.status !== 'active') return { state: 'inactive', count: 0 };
  const prefs = preferencesOf(user);
  if (!(prefs?.emailDigest ?? false)) return { state: 'off', count: 0 };
  // Only what the person wants by e-mail: a type whose e-mail they switched off is not mailed in
  // a digest either. Security notices are not listed: they were e-mailed on their own already.
  const types = NOTIFICATION_TYPE_NAMES.filter(
    (type) => effectiveChannels(type, prefs).email && !NOTIFICATION_TYPES[type].security,
  );
  const { rows } = await deps.pool.query<{
    notification_id: string;
    type: string;
    subject_kind: string;
    subject_id: string;
    actor_ids: string[];
    actor_count: number;
    data: Record<string, unknown>;
    total: number;
  }>(
    `select notification_id, type, subject_kind, subject_id, actor_ids, actor_count, data,
            count(*) over ()::int as total
       from notification_inbox
      where recipient_id = $1 and read_at is null and updated_at > $2 and updated_at <= $3
        and type = any($5::text[])
      order by updated_at desc, notification_id desc
      limit $4`,
    [userId, since, now, DIGEST_MAX_ITEMS, types],
  );
  const total = rows[0]?.total ?? 0;
  if (total === 0) return { state: 'nothing', count: 0 };
  if (user.email === null || !user.verified || deps.mailer === null)
    return { state: 'unreachable', count: total };
  const key = {
    notificationId: uuidv5(`${userId}:${now}`, DIGEST_NAMESPACE),
    channel: 'email' as const,
    target: '',
  };
  await deps.pool.query(
    `insert into notification_deliveries (notification_id, channel, target, recipient_id, kind, due_at)
     values ($1, 'email', '', $2, 'digest', $3) on conflict do nothing`,
    [key.notificationId, userId, now],
  );
  // A digest a dead attempt claimed may have gone out: settle it 'unknown', never send it again.
  const abandoned = await deps.pool.query(
    `update notification_deliveries set state = 'unknown',
            reason = 'the worker stopped while sending: it may or may not have gone out', updated_at = now()
      where notification_id = $1 and channel = 'email' and target = '' and state = 'sending'`,
    [key.notificationId],
  );
  if ((abandoned.rowCount ?? 0) > 0) return { state: 'already', count: total };
  const attempt = await claimDelivery(deps.pool, key);
  if (attempt === null) return { state: 'already', count: total };
  const names = await actorNames(
    deps,
    rows.flatMap((row) => row.actor_ids),
  );
  const items: DigestItem[] = rows.flatMap((row) =>
    isNotificationType(row.type)
      ? [
          {
            type: row.type,
            ...describeNotification({
              type: row.type,
              actorNames: row.actor_ids.map((id) => names.get(id) ?? null),
              actorCount: row.actor_count,
              subjectKind: row.subject_kind,
              subjectId: row.subject_id,
              data: row.data,
            }),
          },
        ]
      : [],
  );
  const email = renderDigestEmail({
    recipientName: user.display_name,
    publicUrl: deps.publicUrl,
    items,
    total,
  });
  const sent = await deps.mailer.send({
    to: user.email,
    ...email,
    messageId: `<${key.notificationId}.email@chronicle>`,
  });
  switch (sent.outcome) {
    case 'sent':
      await settleDelivery(deps.pool, key, { state: 'sent' });
      return { state: 'sent', count: total };
    case 'transient':
      if (attempt < input.maximumAttempts) {
        await settleDelivery(deps.pool, key, { state: 'pending', reason: sent.reason, dueAt: new Date(now) });
        return { state: 'pending', count: total, reason: sent.reason };
      }
      await settleDelivery(deps.pool, key, {
        state: 'failed',
        reason: `gave up after ${attempt} attempts: ${sent.reason}`,
      });
      return { state: 'failed', count: total, reason: sent.reason };
    case 'unknown':
      await settleDelivery(deps.pool, key, { state: 'unknown', reason: sent.reason });
      return { state: 'unknown', count: total, reason: sent.reason };
    default:
      await settleDelivery(deps.pool, key, { state: 'failed', reason: sent.reason });
      return { state: 'failed', count: total, reason: sent.reason };
  }
}

async function actorNames(
  deps: Pick<NotificationDeliveryDeps, 'pool'>,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const { rows } = await deps.pool.query<{ user_id: string; display_name: string | null }>(
    'select user_id, display_name from users where user_id = any($1::uuid[])',
    [[...new Set(ids)]],
  );
  return new Map(rows.map((row) => [row.user_id, row.display_name]));
}
