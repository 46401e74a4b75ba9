import { createHash, randomUUID } from 'node:crypto';
import type { Actor, ApiScope, DecisionContext, PlatformRole } from '../../../src/domain/shared/decider.ts';

/** Who issues a command in a spec. Every call mints fresh ids, so specs never share one. */
export const asUser = (userId: string, role: PlatformRole = 'user'): Actor => ({
  kind: 'user',
  userId,
  role,
});

export const anotherUser = (role: PlatformRole = 'user'): Actor => asUser(randomUUID(), role);

export const anAdmin = (): Actor => anotherUser('admin');

export const anIntegration = (ownerId: string, scopes: readonly ApiScope[]): Actor => ({
  kind: 'integration',
  keyId: randomUUID(),
  ownerId,
  scopes,
});

export const theSystem = (process = 'identity'): Actor => ({ kind: 'system', process });

export const anonymous: Actor = { kind: 'anonymous' };

export const by = (actor: Actor, now: Date): DecisionContext => ({ actor, now });

/** A fresh SHA-256 hex digest, shaped like the hashes of tokens, keys and backup codes. */
export const freshHash = (): string => createHash('sha256').update(randomUUID()).digest('hex');

export const minutes = (count: number): number => count * 60_000;

export const shift = (instant: Date, milliseconds: number): Date =>
  new Date(instant.getTime() + milliseconds);
