import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { z } from 'zod';

/**
 * The relying party passkeys are bound to: the RP id (a registrable domain, e.g. `example.org`)
 * is hashed into every assertion, and the origin is what the browser writes into client data.
 * A passkey made for one RP id never signs in anywhere else.
 */
export interface RelyingParty {
  id: string;
  name: string;
  /** Every origin the API accepts responses from (the web app's). */
  origins: readonly string[];
}

export const RELYING_PARTY_NAME = 'Chronicle';

/** How long a challenge may be answered (WebAuthn's own default timeout is 5 minutes too). */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * From WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN, each defaulting from PUBLIC_URL (the app's own address),
 * else from `http://localhost:<PORT>`: the RP id is the origin's host name.
 */
export function relyingPartyFrom(config: {
  WEBAUTHN_RP_ID?: string | undefined;
  WEBAUTHN_ORIGIN?: readonly string[] | undefined;
  PUBLIC_URL?: string | undefined;
  PORT: number;
}): RelyingParty {
  const origins = config.WEBAUTHN_ORIGIN?.length
    ? config.WEBAUTHN_ORIGIN
    : [new URL(config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).origin];
  const id = config.WEBAUTHN_RP_ID ?? new URL(origins[0] as string).hostname;
  return { id, name: RELYING_PARTY_NAME, origins };
}

/** What tests and tools get without configuration: the API's default address. */
export const DEFAULT_RELYING_PARTY: RelyingParty = relyingPartyFrom({ PORT: 4000 });

const base64url = z
  .string()
  .min(1)
  .max(4_096)
  .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');

/**
 * The JSON a browser's `PublicKeyCredential.toJSON()` (or @simplewebauthn/browser) produces; the
 * library verifies the bytes, this only refuses what is not even the right shape, with a typed error.
 */
export const registrationResponseInput = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url.max(16_384),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export const authenticationResponseInput = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.max(128).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export type RegistrationResponse = z.infer<typeof registrationResponseInput>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseInput>;

/** The challenge the client says it answered, read from its client data; null when unreadable. */
export function challengeOf(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const clientData: unknown = JSON.parse(
      Buffer.from(response.response.clientDataJSON, 'base64url').toString(),
    );
    const challenge = (clientData as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(challenge) ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * A user handle is the user id's UTF-8 bytes (what the registration options give the authenticator
 * as `user.id`), so a discoverable credential names its owner without a lookup.
 */
export const userHandleFor = (userId: string) => new TextEncoder().encode(userId);
export const userIdFromHandle = (handle: string) => Buffer.from(handle, 'base64url').toString('utf8');

export interface KnownCredential {
  credentialId: string;
  transports: readonly string[];
}

export function registrationOptions(
  rp: RelyingParty,
  user: { userId: string; userName: string; displayName: string },
  existing: readonly KnownCredential[],
  challenge: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.userName,
    userDisplayName: user.displayName,
    userID: userHandleFor(user.userId),
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    // The authenticator refuses to make a second passkey for this account on the same device.
    excludeCredentials: existing.map(credentialDescriptor),
    // Discoverable, so the same passkey also signs in without an e-mail address.
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
}

export function authenticationOptions(
  rp: RelyingParty,
  allowed: readonly KnownCredential[],
  challenge: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: allowed.map(credentialDescriptor),
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: CHALLENGE_TTL_MS,
    // Passwordless sign-in insists on it when verifying; as a second factor it is not needed.
    userVerification: 'preferred',
  });
}

const credentialDescriptor = (credential: KnownCredential) => ({
  id: credential.credentialId,
  transports: credential.transports as AuthenticatorTransport[],
});

export interface VerifiedRegistration {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  backedUp: boolean;
}

/** Checks the attestation against the challenge, origin and RP id; throws with the reason when it fails. */
export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponse,
  challenge: string,
): Promise<VerifiedRegistration> {
  const result = await verifyRegistrationResponse({
    response: response as RegistrationResponseJSON,
    expectedChallenge: challenge,
    expectedOrigin: [...rp.origins],
    expectedRPID: rp.id,
    // 'preferred' at registration: a security key without a PIN is still a possession factor.
    requireUserVerification: false,
  });
  if (!result.verified) throw new Error('The attestation did not verify');
  const { credential, credentialBackedUp } = result.registrationInfo;
  return {
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: response.response.transports ?? [],
    backedUp: credentialBackedUp,
  };
}

/**
 * Checks the assertion's signature against the stored public key, the challenge, origin and RP id,
 * and returns the counter it carries. The counter is not compared here: the passkey decider
 * compares it with the one in the history, so a suspected clone is recorded, not just refused
 * (the library is handed counter 0, which makes its own comparison a no-op).
 */
export async function verifyAssertion(
  rp: RelyingParty,
  response: AuthenticationResponse,
  challenge: string,
  credential: { credentialId: string; publicKey: string; transports: readonly string[] },
  requireUserVerification: boolean,
): Promise<{ counter: number }> {
  const result = await verifyAuthenticationResponse({
    response: response as AuthenticationResponseJSON,
    expectedChallenge: challenge,
    expectedOrigin: [...rp.origins],
    expectedRPID: rp.id,
    credential: {
      id: credential.credentialId,
      publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
      counter: 0,
      transports: credential.transports as AuthenticatorTransport[],
    },
    requireUserVerification,
  });
  if (!result.verified) throw new Error('The assertion did not verify');
  return { counter: result.authenticationInfo.newCounter };
}
