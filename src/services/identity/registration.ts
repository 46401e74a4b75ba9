import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../auth/passwords.ts';
import { uuidv5 } from '../../commands/event-ids.ts';
import { refuseReusedKey } from '../../commands/idempotency.ts';
import { withReservation } from '../../commands/reservations.ts';
import { EMAIL_SCOPE, normalizeEmail, userStream } from '../../domain/identity/streams.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { users } from './aggregates.ts';
import type { IdentityDeps } from './context.ts';
import { registerInput } from './inputs.ts';
import { PASSWORD_FIELDS, requireSamePassword } from './replayed-password.ts';

export interface Registered {
  userId: string;
  position: bigint | null;
}

const USER_ID_NAMESPACE = 'e0b5f3c1-2f7a-4a8e-8d61-0f4c3b9a7e25';

/**
 * One account per e-mail address: the address is reserved (its own stream, appended with
 * `no_stream`) before the user stream is written, and released again if that write fails.
 */
export async function register(
  deps: IdentityDeps,
  context: RequestContext,
  raw: unknown,
): Promise<Registered> {
  const input = registerInput.parse(raw);
  const commandId = commandIdFor(context, 'register', input, { secrets: PASSWORD_FIELDS });
  // With an idempotency key the retry must land on the same user, so the id derives from the command.
  const userId = input.idempotencyKey ? uuidv5(commandId, USER_ID_NAMESPACE) : randomUUID();
  const email = normalizeEmail(input.email);
  const now = nowFrom(deps);
  const passwordHash = await hashPassword(input.password);
  const command = envelope(context, commandId, now, {
    type: 'RegisterUser' as const,
    userId,
    email,
    displayName: input.displayName,
    passwordHash,
    // The verification e-mail is asked for in the same write (see the user decider).
    verificationRequestId: randomUUID(),
  });
  // A retry with the key but another address or name is refused before it claims the address.
  await refuseReusedKey(deps, users, userStream(userId), command);
  const result = await withReservation(
    deps,
    { scope: EMAIL_SCOPE, value: email, ownerId: userId, reason: 'EMAIL_TAKEN' },
    command,
    () => execute(deps, users, userStream(userId), command),
  );
  await requireSamePassword(result, input.password);
  return { userId, position: result.position };
}
