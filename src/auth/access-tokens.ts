import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { PLATFORM_ROLES, type PlatformRole } from '../domain/shared/decider.ts';
import { DomainError, unauthenticated } from '../domain/shared/domain-error.ts';
import type { AccessTokenKeys } from './signing-key-ring.ts';

/**
 * Short-lived JWT access tokens, signed with the current Ed25519 signing key (`alg: EdDSA`, its
 * `kid` in the header; see signing-key-ring.ts), so integrators verify them with the public keys
 * of GET /.well-known/jwks.json and no shared secret. They are checked without a database round
 * trip, which is why they live only minutes; revocation works through the refresh token and the
 * session.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 900;
const ISSUER = 'chronicle';
const AUDIENCE = 'chronicle-api';

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  role: PlatformRole;
}

export interface VerifiedAccessToken extends AccessTokenClaims {
  issuedAt: Date;
  expiresAt: Date;
}

const payloadSchema = z.object({
  sub: z.uuid(),
  sid: z.uuid(),
  role: z.enum(PLATFORM_ROLES),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1),
});

export async function issueAccessToken(
  claims: AccessTokenClaims,
  options: { keys: Pick<AccessTokenKeys, 'signingKey'>; now: Date; ttlSeconds?: number },
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  const expiresAt = issuedAt + (options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS);
  const key = await options.keys.signingKey(options.now);
  const token = await new SignJWT({ sid: claims.sessionId, role: claims.role })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

const invalid = () => unauthenticated('TOKEN_INVALID', 'The access token is not valid');

/**
 * Throws UNAUTHENTICATED with reason TOKEN_EXPIRED or TOKEN_INVALID. Invalid: not EdDSA (`none`,
 * and HS256 tokens, including those this API issued before its keys were asymmetric), no kid or
 * an unknown one, a key whose tokens are no longer accepted, a bad signature or claims.
 */
export async function verifyAccessToken(
  token: string,
  options: { keys: Pick<AccessTokenKeys, 'verificationKey'>; now: Date },
): Promise<VerifiedAccessToken> {
  const { keys, now } = options;
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (header) => {
        const key = typeof header.kid === 'string' ? await keys.verificationKey(header.kid, now) : undefined;
        if (!key) throw invalid();
        return key;
      },
      {
        // Pinned before any key is looked up: `none`, HMAC and every other algorithm are refused
        // outright, so no one can make the verifier treat a public key as a shared secret.
        algorithms: ['EdDSA'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      },
    ));
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // jose checks the signature before the claims, so only a genuine token can count as expired.
    if (error instanceof errors.JWTExpired) {
      throw unauthenticated('TOKEN_EXPIRED', 'The access token has expired');
    }
    if (error instanceof errors.JOSEError) throw invalid();
    throw error;
  }
  const claims = payloadSchema.safeParse(payload);
  if (!claims.success) throw invalid();
  const { sub, sid, role, iat, exp } = claims.data;
  return {
    userId: sub,
    sessionId: sid,
    role,
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
  };
}
