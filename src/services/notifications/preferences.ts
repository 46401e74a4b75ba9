import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { userStream } from '../../domain/identity/streams.ts';
import type { Channel } from '../../domain/notifications/notification-types.ts';
import type { NotificationPreferencesCommand } from '../../domain/notifications/preferences-commands.ts';
import { notificationPreferencesAggregate } from '../../domain/notifications/preferences-decider.ts';
import {
  type ChannelOverrides,
  DEFAULT_NOTIFICATION_PREFERENCES,
  type NotificationPreferences,
} from '../../domain/notifications/preferences-values.ts';
import { notificationPreferencesStream } from '../../domain/notifications/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { users } from '../identity/aggregates.ts';
import {
  commandIdFor,
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';

export interface NotificationPreferencesDeps extends ServiceDeps {
  pool: pg.Pool;
}

/** The read models the preference use cases wait for (read-your-writes). */
export const NOTIFICATION_PREFERENCES_READ_MODELS = ['notification_preferences'];

/** The most types one update may name: there are fewer than 30, and a longer list is not a person. */
const MAX_CHANNEL_CHANGES = 100;

const channelSwitch = z.boolean().nullish();

/**
 * `updateNotificationPreferences` input. Absent fields stay as they are; `quietHours: null` ends
 * quiet hours; a channel given as null goes back to the type's default. Types are spelled as the
 * GraphQL enum (VIDEO_LIKED) or the domain name (video_liked); the decider refuses unknown ones.
 * Shapes are checked here, meanings (time zones, clock times, types) by the decider, so the same
 * rules hold for every caller.
 */
export const preferencesInput = z.object({
  timeZone: z.string().max(200).nullish(),
  quietHours: z.object({ start: z.string().max(20), end: z.string().max(20) }).nullish(),
  emailDigest: z.boolean().nullish(),
  channels: z
    .array(
      z.object({
        type: z.string().min(1).max(200),
        inApp: channelSwitch,
        push: channelSwitch,
        email: channelSwitch,
      }),
    )
    .max(MAX_CHANNEL_CHANGES)
    .nullish(),
  idempotencyKey: z.string().min(8).max(128).nullish(),
});

/** Only a person has notification preferences (an API key acts for its owner). */
function ownerOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
}

/** The caller's preferences after the change (the whole of them, defaults filled in). */
export async function updateNotificationPreferences(
  deps: NotificationPreferencesDeps,
  context: RequestContext,
  raw: unknown,
): Promise<NotificationPreferences> {
  const parsed = preferencesInput.parse(raw);
  const userId = ownerOf(context.actor);
  await requireKnownPerson(deps, userId);
  const command: NotificationPreferencesCommand = {
    type: 'ChangeNotificationPreferences',
    userId,
    ...(parsed.timeZone == null ? {} : { timeZone: parsed.timeZone }),
    ...(parsed.quietHours === undefined ? {} : { quietHours: parsed.quietHours }),
    ...(parsed.emailDigest == null ? {} : { emailDigest: parsed.emailDigest }),
    ...(parsed.channels == null ? {} : { channels: channelChanges(parsed.channels) }),
  };
  const commandId = commandIdFor(context, 'updateNotificationPreferences', parsed);
  const result = await execute(
    deps,
    notificationPreferencesAggregate,
    notificationPreferencesStream(userId),
    envelope(context, commandId, nowFrom(deps), command),
  );
  const changed = result.events.at(-1);
  if (changed) {
    const { timeZone, quietHours, emailDigest, channels } = changed.data;
    return { timeZone, quietHours, emailDigest, channels: channels as ChannelOverrides };
  }
  return notificationPreferencesOf(deps.pool, userId);
}

function channelChanges(
  changes: NonNullable<z.infer<typeof preferencesInput>['channels']>,
): Record<string, Partial<Record<Channel, boolean | null>>> {
  // No prototype: a type named "__proto__" must stay a key (and be refused as unknown), not vanish.
  const result: Record<string, Partial<Record<Channel, boolean | null>>> = Object.create(null);
  for (const { type, inApp, push, email } of changes) {
    const name = type.toLowerCase();
    const switches = { ...result[name] };
    if (inApp !== undefined) switches.in_app = inApp;
    if (push !== undefined) switches.push = push;
    if (email !== undefined) switches.email = email;
    result[name] = switches;
  }
  return result;
}

/**
 * Preferences are kept only for someone who exists and was not forgotten, as their own stream tells
 * it (the write side's truth, not a read model that may lag): recording them for a forgotten
 * person would re-create personal data after the erasure (an old unsubscribe link still verifies:
 * its signature has no expiry). NOT_FOUND USER_NOT_FOUND, nothing stored. A deactivated person
 * may still change theirs (the account can come back).
 */
async function requireKnownPerson(deps: ServiceDeps, userId: string): Promise<void> {
  const { state } = await loadAggregate(deps, users, userStream(userId.toLowerCase()));
  if (state.status === 'unregistered' || state.status === 'forgotten')
    throw notFound('USER_NOT_FOUND', 'No such user');
}

/** Who changes preferences through a signed unsubscribe link: the link, not a session, proves who. */
const UNSUBSCRIBE_ACTOR: Actor = { kind: 'system', process: 'notification-unsubscribe' };

/**
 * Switches one type's e-mail on or off for a person (the per-type unsubscribe link; its caller has
 * verified the link's signature). A forgotten or unknown person is NOT_FOUND USER_NOT_FOUND (nothing
 * stored). An unknown type is VALIDATION UNKNOWN_NOTIFICATION_TYPE; a
 * security type cannot be switched off (VALIDATION SECURITY_NOTIFICATION_REQUIRED); asking twice
 * changes nothing the second time.
 */
export async function setEmailChannel(
  deps: ServiceDeps,
  userId: string,
  type: string,
  enabled: boolean,
): Promise<void> {
  await requireKnownPerson(deps, userId);
  const commandId = randomUUID();
  await execute(
    deps,
    notificationPreferencesAggregate,
    notificationPreferencesStream(userId.toLowerCase()),
    envelope({ actor: UNSUBSCRIBE_ACTOR, correlationId: commandId }, commandId, nowFrom(deps), {
      type: 'ChangeNotificationPreferences',
      userId: userId.toLowerCase(),
      channels: { [type]: { email: enabled } },
    } satisfies NotificationPreferencesCommand),
  );
}

interface PreferencesRow {
  user_id: string;
  time_zone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  email_digest: boolean;
  channels: ChannelOverrides;
}

const toPreferences = (row: PreferencesRow): NotificationPreferences => ({
  timeZone: row.time_zone,
  quietHours:
    row.quiet_start !== null && row.quiet_end !== null
      ? { start: row.quiet_start, end: row.quiet_end }
      : null,
  emailDigest: row.email_digest,
  channels: row.channels,
});

/** One person's preferences from the read model; the defaults when they never set any. */
export async function notificationPreferencesOf(
  pool: pg.Pool,
  userId: string,
): Promise<NotificationPreferences> {
  const id = userId.toLowerCase();
  return (await notificationPreferencesFor(pool, [id])).get(id) ?? DEFAULT_NOTIFICATION_PREFERENCES;
}

/**
 * Many people's preferences in one statement (the delivery saga reads a whole fan-out at once).
 * People without a row are left out: the caller uses null (the defaults) for them, as
 * `effectiveChannels` and `deliverableAt` accept.
 */
export async function notificationPreferencesFor(
  pool: pg.Pool,
  userIds: readonly string[],
): Promise<Map<string, NotificationPreferences>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await pool.query<PreferencesRow>(
    `select user_id, time_zone, quiet_start, quiet_end, email_digest, channels
       from notification_preferences where user_id = any($1::uuid[])`,
    [userIds.map((id) => id.toLowerCase())],
  );
  return new Map(rows.map((row) => [row.user_id, toPreferences(row)]));
}
