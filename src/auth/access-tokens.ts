import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { PLATFORM_ROLES, type PlatformRole } from '../domain/shared/decider.ts';
import { unauthenticated } from '../domain/shared/domain-error.ts';

/**
 * Short-lived JWT access tokens (HS256). They are checked without a database round trip, which is
 * why they live only minutes; revocation works through the refresh token and the session.
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
  options: { secret: Uint8Array; now: Date; ttlSeconds?: number },
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  const expiresAt = issuedAt + (options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS);
  const token = await new SignJWT({ sid: claims.sessionId, role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(options.secret);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

const invalid = () => unauthenticated('TOKEN_INVALID', 'The access token is not valid');

/** Throws UNAUTHENTICATED with reason TOKEN_EXPIRED or TOKEN_INVALID. */
export async function verifyAccessToken(
  token: string,
  options: { secret: Uint8Array; now: Date },
): Promise<VerifiedAccessToken> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, options.secret, {
      // Pinning the algorithm refuses `none` and any attempt to switch the verifier to another key type.
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: options.now,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    }));
  } catch (error) {
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
