import type { AccessTokenKeys } from '../../auth/signing-key-ring.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import type { PersonalDataKeys } from '../../privacy/personal-data-keys.ts';
import type { ServiceDeps } from '../shared/command-context.ts';

/** What the identity use cases need: the command pipeline's deps and the personal-data keys. */
export interface IdentityDeps extends ServiceDeps {
  keys: PersonalDataKeys;
}

/** Sign-in and refresh also mint access tokens; the API verifies them with the same keys. */
export interface SessionDeps extends IdentityDeps {
  authSecret: Uint8Array;
  accessTokens: AccessTokenKeys;
}

/** Sign-in runs before anyone is authenticated; the system records it on the user's behalf. */
export const SIGN_IN_ACTOR: Actor = { kind: 'system', process: 'sign-in' };
