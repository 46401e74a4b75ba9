import { randomUUID } from 'node:crypto';
import { ownerOf } from '../commands/reservations.ts';
import type { Config } from '../config.ts';
import { EMAIL_SCOPE, normalizeEmail } from '../domain/identity/streams.ts';
import type { PlatformRole } from '../domain/shared/decider.ts';
import type { Logger } from '../logger.ts';
import { waitForPosition } from '../projections/wait-for-position.ts';
import { setRole } from '../services/identity/account.ts';
import { operatorDatabaseUrl } from './dev-lock.ts';
import { openRuntime } from './runtime.ts';

export interface SetRoleCommand {
  email: string;
  role: PlatformRole;
}

/**
 * `chronicle users set-role <email> <role>`: how an operator makes the first admin (and any role
 * change without the API). Recorded like any other change, with the actor `system:cli`.
 */
export async function runUsersSetRole(config: Config, log: Logger, command: SetRoleCommand): Promise<number> {
  const runtime = await openRuntime(
    config,
    log.child({ component: 'users' }),
    await operatorDatabaseUrl(config),
  );
  try {
    const userId = await ownerOf(runtime.store, EMAIL_SCOPE, normalizeEmail(command.email));
    if (!userId) {
      process.stderr.write(`no account with the e-mail address ${command.email}\n`);
      return 1;
    }
    const { store, codec, keys } = runtime;
    const result = await setRole(
      { store, codec, keys, log },
      { actor: { kind: 'system', process: 'cli' }, correlationId: randomUUID() },
      { userId, role: command.role },
    );
    // Answer once the API sees it too: the projector may run in another process, so this polls
    // its checkpoint rather than waiting for a notification.
    const visible =
      result.position === null ||
      (await waitForPosition(runtime.pool, runtime.bus, result.position, {
        timeoutMs: 10_000,
        projections: ['users'],
      }));
    const done = result.events.length > 0 ? `is now ${command.role}` : `already was ${command.role}`;
    const lag = visible ? '' : ' (the API shows it once the projector catches up)';
    process.stdout.write(`${command.email} ${done}${lag}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
