import type { EventCodec } from '../../commands/event-codec.ts';
import { type UserEvent, userEventCatalogue } from '../../domain/identity/user-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';

/**
 * Users as the API shows them. Personal fields are decrypted on the way in and dropped when the
 * user is forgotten; a rebuild after that reads them as null because the key is gone.
 */
export function usersProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'users',
    // 2: email_verified_at (account recovery). 3: a completed password reset verifies the address.
    version: 3,
    eventTypes: Object.keys(userEventCatalogue),
    tables: {
      users: {
        columns: `user_id uuid not null, email text, display_name text, bio text, role text not null,
          status text not null, totp_enabled boolean not null, locked_until timestamptz,
          sessions_revoked_before timestamptz, last_sign_in_at timestamptz, forgotten_at timestamptz,
          registered_at timestamptz not null, updated_at timestamptz not null,
          email_verified_at timestamptz`,
        primaryKey: ['user_id'],
        indexes: ['(email)', '(registered_at, user_id)', '(role, registered_at)'],
      },
    },
    // A batch's users in one query (every event names its user; the id is never encrypted).
    prefetch: (events) =>
      [...new Set(events.map((e) => (e.data as { userId?: unknown }).userId))]
        .filter((userId): userId is string => typeof userId === 'string')
        .map((user_id) => ({ table: 'users', key: { user_id } })),
    async apply(recorded, writer) {
      const decoded = await codec.decode(userEventCatalogue, recorded);
      if (decoded) await applyUserEvent(decoded.event, writer, recorded.createdAt.toISOString());
    },
  };
}

async function applyUserEvent(event: UserEvent, writer: ReadModelWriter, at: string): Promise<void> {
  const key = { user_id: event.data.userId };
  const update = (changes: Record<string, unknown>) =>
    writer.update('users', key, { ...changes, updated_at: at });
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, displayName, role } = event.data;
      writer.upsert('users', {
        user_id: userId,
        email,
        display_name: displayName,
        bio: null,
        role,
        status: 'active',
        totp_enabled: false,
        registered_at: event.data.at,
        updated_at: at,
      });
      return;
    }
    case 'UserProfileChanged': {
      const { displayName, bio } = event.data;
      return update({
        ...(displayName === undefined ? {} : { display_name: displayName }),
        ...(bio === undefined ? {} : { bio }),
      });
    }
    case 'UserRoleChanged':
      return update({ role: event.data.role });
    case 'UserDeactivated':
      return update({ status: 'deactivated' });
    case 'AccountLocked':
      return update({ locked_until: event.data.until });
    case 'LoginSucceeded':
      return update({ last_sign_in_at: event.data.at, locked_until: null });
    case 'UserSessionsRevoked':
      return update({ sessions_revoked_before: event.data.at });
    case 'TotpEnabled':
      return update({ totp_enabled: true });
    case 'UserForgotten':
      return update({
        email: null,
        display_name: null,
        bio: null,
        status: 'forgotten',
        totp_enabled: false,
        forgotten_at: event.data.at,
      });
    case 'UserEmailVerified':
      return update({ email_verified_at: event.data.at });
    case 'UserPasswordReset': {
      // The reset lifts a lock from failed guesses (see the user state), and following its link
      // proved the mailbox: the address is verified from then on, if it was not already.
      const row = await writer.get('users', key);
      return update({
        locked_until: null,
        ...(row?.email_verified_at ? {} : { email_verified_at: event.data.at }),
      });
    }
    case 'UserPasswordChanged':
    case 'LoginFailed':
    case 'TotpEnrollmentStarted':
    case 'EmailVerificationRequested':
    case 'PasswordResetRequested':
      return;
  }
}
