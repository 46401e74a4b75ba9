import { heartbeat } from '@temporalio/activity';
import { effectiveChannels } from '../../domain/notifications/channels.ts';
import {
  isNotificationType,
  NOTIFICATION_TYPES,
  type NotificationType,
} from '../../domain/notifications/notification-types.ts';
import { deliverableAt } from '../../domain/notifications/quiet-hours.ts';
import { DEVICES_PROJECTION } from '../../projections/read-models/devices.ts';
import { NOTIFICATION_PREFERENCES_PROJECTION } from '../../projections/read-models/notification-preferences.ts';
import { NOTIFICATIONS_PROJECTION } from '../../projections/read-models/notifications.ts';
import { waitForPosition } from '../../projections/wait-for-position.ts';
import { emailUnreachable } from './deliver.ts';
import { nextDueAt, SILENT_BUS } from './deliveries.ts';
import type { NotificationDeliveryDeps } from './deps.ts';
import { type PreferencesRow, preferencesOf } from './preferences-row.ts';
import type { NotificationDeliverySettings } from './settings.ts';
import type { DeliveryProgress } from './types.ts';

/**
 * The read models planning reads, each waited for up to the event: a device registered or a
 * preference set just before the event counts, whichever read model happens to be behind.
 */
const PLANNED_FROM = [
  NOTIFICATIONS_PROJECTION,
  NOTIFICATION_PREFERENCES_PROJECTION,
  DEVICES_PROJECTION,
  'users',
];

/** Recipients planned per query: a fan-out to 10,000 followers is read and inserted in pages. */
const PAGE = 1_000;

interface RecipientRow extends PreferencesRow {
  recipient_id: string;
  notification_id: string;
  type: string;
  email: string | null;
  email_verified_at: Date | null;
}

interface PlannedRow {
  notificationId: string;
  channel: 'push' | 'email';
  target: string;
  recipientId: string;
  kind: string;
  state: 'pending' | 'skipped';
  dueAt: Date;
  reason: string | null;
}

/**
 * Plans the outbound deliveries of the notifications one source event created: for each recipient,
 * a push row per active device with a subscription and an e-mail row, on the channels their
 * preferences (or the type's defaults) switch on, each due when quiet hours allow. Recipients whose
 * account is not active (deactivated, forgotten) get nothing. E-mail for someone who takes the
 * daily digest is left to the digest, except security notices. E-mail nobody can receive (no
 * address, an unverified one for anything but a security notice, or no SMTP server configured) is
 * recorded 'skipped' with the reason, so support can
 * answer "why did I get no e-mail". Inserting is idempotent (the primary key): a retried plan adds
 * nothing, and never reschedules a row an earlier attempt planned.
 */
export async function planDeliveries(
  deps: NotificationDeliveryDeps,
  settings: NotificationDeliverySettings,
  input: { sourceEventId: string; position: string; now: string },
): Promise<DeliveryProgress> {
  const reached = await waitForPosition(deps.pool, deps.bus ?? SILENT_BUS, BigInt(input.position), {
    timeoutMs: settings.projectionWaitMs,
    projections: PLANNED_FROM,
  });
  // Retried by the activity's policy: the rows are not there yet, and planning from none would
  // silently send nothing.
  if (!reached) throw new Error(`The notifications read model has not reached position ${input.position}`);
  const now = new Date(input.now);
  let handled = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await deps.pool.query<RecipientRow>(
      `select i.recipient_id, i.notification_id, i.type,
              p.time_zone, p.quiet_start, p.quiet_end, p.email_digest, p.channels,
              u.email, u.email_verified_at
         from notification_inbox i
         left join notification_preferences p on p.user_id = i.recipient_id
         join users u on u.user_id = i.recipient_id and u.status = 'active'
        where i.source_event_id = $1 and i.recipient_id > $2
        order by i.recipient_id
        limit $3`,
      [input.sourceEventId, after, PAGE],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1]?.recipient_id ?? after;
    const devices = await activeDevices(
      deps,
      rows.map((row) => row.recipient_id),
    );
    const planned = rows.flatMap((row) => planRecipient(row, devices.get(row.recipient_id) ?? [], now, deps));
    handled += await insertPlanned(deps, planned);
    heartbeat({ after });
    if (rows.length < PAGE) break;
  }
  return { handled, nextDueAt: await nextDueAt(deps.pool, input.sourceEventId) };
}

function planRecipient(
  row: RecipientRow,
  deviceIds: readonly string[],
  now: Date,
  deps: Pick<NotificationDeliveryDeps, 'mailer'>,
): PlannedRow[] {
  // A type the code no longer knows (a row from an older release) has no channels to go out on.
  if (!isNotificationType(row.type)) return [];
  const type: NotificationType = row.type;
  const prefs = preferencesOf(row);
  const channels = effectiveChannels(type, prefs);
  const base = { notificationId: row.notification_id, recipientId: row.recipient_id, kind: type };
  const planned: PlannedRow[] = [];
  if (channels.push) {
    const dueAt = deliverableAt(now, prefs, 'push', type);
    for (const deviceId of deviceIds) {
      planned.push({ ...base, channel: 'push', target: deviceId, state: 'pending', dueAt, reason: null });
    }
  }
  const security = NOTIFICATION_TYPES[type].security;
  // Someone who takes the digest reads about the rest there; a security notice never waits for it.
  if (channels.email && (!(prefs?.emailDigest ?? false) || security)) {
    const email = { ...base, channel: 'email' as const, target: '' };
    const unreachable =
      emailUnreachable(row.email, row.email_verified_at !== null, security) ??
      (deps.mailer === null ? 'SMTP_URL unset' : null);
    planned.push(
      unreachable === null
        ? { ...email, state: 'pending', dueAt: deliverableAt(now, prefs, 'email', type), reason: null }
        : { ...email, state: 'skipped', dueAt: now, reason: unreachable },
    );
  }
  return planned;
}

/**
 * The recipients' devices that can take a push (registered, with a subscription), by user — of
 * active accounts only: a deactivated or forgotten person's devices are revoked, and until that
 * reaction has run they must not be told anything either.
 */
async function activeDevices(
  deps: Pick<NotificationDeliveryDeps, 'pool'>,
  userIds: readonly string[],
): Promise<Map<string, string[]>> {
  const { rows } = await deps.pool.query<{ device_id: string; user_id: string }>(
    `select d.device_id, d.user_id from devices d
       join users u on u.user_id = d.user_id and u.status = 'active'
      where d.user_id = any($1::uuid[]) and d.unregistered_at is null and d.push_endpoint is not null`,
    [userIds],
  );
  const byUser = new Map<string, string[]>();
  for (const { device_id, user_id } of rows) {
    const list = byUser.get(user_id);
    if (list) list.push(device_id);
    else byUser.set(user_id, [device_id]);
  }
  return byUser;
}

async function insertPlanned(
  deps: Pick<NotificationDeliveryDeps, 'pool'>,
  planned: readonly PlannedRow[],
): Promise<number> {
  if (planned.length === 0) return 0;
  const result = await deps.pool.query(
    `insert into notification_deliveries
       (notification_id, channel, target, recipient_id, kind, state, due_at, reason)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                          $7::timestamptz[], $8::text[])
     on conflict do nothing`,
    [
      planned.map((row) => row.notificationId),
      planned.map((row) => row.channel),
      planned.map((row) => row.target),
      planned.map((row) => row.recipientId),
      planned.map((row) => row.kind),
      planned.map((row) => row.state),
      planned.map((row) => row.dueAt.toISOString()),
      planned.map((row) => row.reason),
    ],
  );
  return result.rowCount ?? 0;
}
