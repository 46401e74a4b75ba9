import type pg from 'pg';
import type { AccessTokenKeys } from '../../auth/signing-key-ring.ts';
import type { RelyingParty } from '../../auth/webauthn.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import type { PersonalDataKeys } from '../../privacy/personal-data-keys.ts';
import type { ServiceDeps } from '../shared/command-context.ts';

/** What the identity use cases need: the command pipeline's deps and the personal-data keys. */
export interface IdentityDeps extends ServiceDeps {
  keys: PersonalDataKeys;
  /**
   * The read models, for erasure to find a person's chat messages by index; without it erasure
   * reads the chat history itself (tools and tests that run no projections).
   */
  pool?: pg.Pool;
  /** The relying party passkeys are bound to (WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN); the API's default address without it. */
  webauthn?: RelyingParty;
}

/** Sign-in and refresh also mint access tokens; the API verifies them with the same keys. */
export interface SessionDeps extends IdentityDeps {
  authSecret: Uint8Array;
  accessTokens: AccessTokenKeys;
}

/** Sign-in runs before anyone is authenticated; the system records it on the user's behalf. */
export const SIGN_IN_ACTOR: Actor = { kind: 'system', process: 'sign-in' };
