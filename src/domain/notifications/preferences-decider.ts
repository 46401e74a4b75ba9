import type { Actor, Decider } from '../shared/decider.ts';
import { forbidden, validation } from '../shared/domain-error.ts';
import { CHANNELS, type Channel, isNotificationType, NOTIFICATION_TYPES } from './notification-types.ts';
import type { NotificationPreferencesCommand } from './preferences-commands.ts';
import {
  type NotificationPreferencesEvent,
  notificationPreferencesEventCatalogue,
} from './preferences-events.ts';
import {
  evolveNotificationPreferences,
  initialNotificationPreferencesState,
  type NotificationPreferencesState,
} from './preferences-state.ts';
import {
  type ChannelOverrides,
  canonicalTimeZone,
  isClockTime,
  type QuietHours,
} from './preferences-values.ts';

/**
 * One person's notification preferences. A change is merged into what is there, checked as a
 * whole and recorded as the whole result; a change that leaves everything as it was decides
 * nothing. People change their own (an API key its owner's); processes (the one-click unsubscribe link, which proves who
 * it is for with its signature) may change anyone's.
 */
export const notificationPreferencesDecider: Decider<
  NotificationPreferencesCommand,
  NotificationPreferencesEvent,
  NotificationPreferencesState
> = {
  initialState: initialNotificationPreferencesState,
  evolve: evolveNotificationPreferences,
  decide(command, state, context) {
    requireOwnerOrProcess(context.actor, command.userId);
    const timeZone = command.timeZone === undefined ? state.timeZone : timeZoneOf(command.timeZone);
    const quietHours = command.quietHours === undefined ? state.quietHours : quietHoursOf(command.quietHours);
    const emailDigest = command.emailDigest ?? state.emailDigest;
    const channels =
      command.channels === undefined ? state.channels : merge(state.channels, command.channels);
    const next = { timeZone, quietHours, emailDigest, channels };
    if (samePreferences(state, next)) return [];
    return [{ type: 'NotificationPreferencesChanged', data: { userId: command.userId, ...next } }];
  },
};

export const notificationPreferencesAggregate = {
  decider: notificationPreferencesDecider,
  catalogue: notificationPreferencesEventCatalogue,
};

function requireOwnerOrProcess(actor: Actor, userId: string): void {
  if (actor.kind === 'system') return;
  if (actor.kind === 'user' && actor.userId.toLowerCase() === userId.toLowerCase()) return;
  if (actor.kind === 'integration' && actor.ownerId.toLowerCase() === userId.toLowerCase()) return;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden(
    'NOT_YOUR_PREFERENCES',
    'Only the person themselves changes their notification preferences',
  );
}

function timeZoneOf(name: string): string {
  const canonical = canonicalTimeZone(name);
  if (canonical === null) {
    throw validation(
      'INVALID_TIME_ZONE',
      `Unknown time zone "${name.slice(0, 64)}": give an IANA name such as Europe/London`,
      {
        field: 'timeZone',
      },
    );
  }
  return canonical;
}

function quietHoursOf(quietHours: QuietHours | null): QuietHours | null {
  if (quietHours === null) return null;
  const { start, end } = quietHours;
  if (!isClockTime(start) || !isClockTime(end)) {
    throw validation(
      'INVALID_QUIET_HOURS',
      'Quiet hours start and end are local times written HH:MM (00:00 to 23:59)',
      {
        field: 'quietHours',
      },
    );
  }
  if (start === end) {
    throw validation('INVALID_QUIET_HOURS', 'Quiet hours start and end must differ (no quiet hours: null)', {
      field: 'quietHours',
    });
  }
  return { start, end };
}

/**
 * The person's choices after the change: given channels set, null ones dropped, types left
 * without a choice removed (so "back to defaults" stores nothing). Security types cannot be
 * switched off; switching them on is what they already are, so nothing is stored for them.
 */
function merge(
  current: ChannelOverrides,
  changes: NonNullable<NotificationPreferencesCommand['channels']>,
): ChannelOverrides {
  const result: Record<string, Partial<Record<Channel, boolean>>> = {};
  for (const [type, switches] of Object.entries(current)) if (switches) result[type] = { ...switches };
  for (const [type, switches] of Object.entries(changes)) {
    if (!isNotificationType(type)) {
      throw validation('UNKNOWN_NOTIFICATION_TYPE', `There is no notification type "${type.slice(0, 64)}"`, {
        field: 'channels',
        type: type.slice(0, 64),
      });
    }
    if (NOTIFICATION_TYPES[type].security) {
      if (Object.values(switches).some((enabled) => enabled === false)) {
        throw validation(
          'SECURITY_NOTIFICATION_REQUIRED',
          `"${type}" is a security notification and cannot be switched off`,
          {
            field: 'channels',
            type,
          },
        );
      }
      continue;
    }
    const next = { ...result[type] };
    for (const channel of CHANNELS) {
      const enabled = switches[channel];
      if (enabled === null) delete next[channel];
      else if (enabled !== undefined) next[channel] = enabled;
    }
    if (Object.keys(next).length === 0) delete result[type];
    else result[type] = next;
  }
  return result as ChannelOverrides;
}

function samePreferences(a: NotificationPreferencesState, b: NotificationPreferencesState): boolean {
  return (
    a.timeZone === b.timeZone &&
    a.emailDigest === b.emailDigest &&
    a.quietHours?.start === b.quietHours?.start &&
    a.quietHours?.end === b.quietHours?.end &&
    sameChannels(a.channels, b.channels)
  );
}

function sameChannels(a: ChannelOverrides, b: ChannelOverrides): boolean {
  const types = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ChannelOverrides>;
  for (const type of types) {
    for (const channel of CHANNELS) if (a[type]?.[channel] !== b[type]?.[channel]) return false;
  }
  return true;
}
