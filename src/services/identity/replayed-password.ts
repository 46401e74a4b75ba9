import { verifyPassword } from '../../auth/passwords.ts';
import { idempotencyKeyReused } from '../../commands/idempotency.ts';
import type { CommandResult } from '../../commands/types.ts';
import type { UserEvent } from '../../domain/identity/user-events.ts';

/** The input fields a password travels in: never part of an idempotency key's fingerprint. */
export const PASSWORD_FIELDS = ['password', 'currentPassword', 'newPassword'] as const;

/**
 * A password is left out of the fingerprint an idempotency key binds to (a fast hash of it, next
 * to the rest of the input, would help guess it). A replay checks it instead: the password sent
 * now against the slow hash the first run recorded, so a retry that sets another password is
 * refused like any other change of input.
 */
export async function requireSamePassword(result: CommandResult<UserEvent>, password: string): Promise<void> {
  if (!result.replayed) return;
  for (const event of result.events) {
    if (event.type !== 'UserRegistered' && event.type !== 'UserPasswordChanged') continue;
    if (!(await verifyPassword(password, event.data.passwordHash))) throw idempotencyKeyReused();
  }
}
