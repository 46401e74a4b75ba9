import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueAccessToken, verifyAccessToken } from '../../src/auth/access-tokens.ts';
import {
  generateSigningKey,
  type OpenedSigningKey,
  openSigningKey,
} from '../../src/auth/signing-key-material.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';

const authSecret = new TextEncoder().encode('a-test-secret-that-is-at-least-32-characters');
const now = new Date('2030-01-01T12:00:00Z');
const claims = () => ({ userId: randomUUID(), sessionId: randomUUID(), role: 'creator' as const });

function newKey(): OpenedSigningKey {
  const opened = openSigningKey(generateSigningKey(authSecret), authSecret);
  if (!opened) throw new Error('a new key must open');
  return opened;
}

/** The API's keys as the token functions see them: this one signs, these verify (by kid). */
function keySet(signer: OpenedSigningKey, verifiers: OpenedSigningKey[] = [signer]) {
  return {
    signingKey: async () => ({ kid: signer.kid, privateKey: signer.privateKey }),
    verificationKey: async (kid: string) => verifiers.find((key) => key.kid === kid)?.publicKey,
  };
}

const current = newKey();
const keys = keySet(current);

async function rejection(token: string, options = { keys, now }): Promise<DomainError> {
  const error = await verifyAccessToken(token, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (segment: string | undefined) =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString());

/** A JWT with our claims, signed with `alg` (HS256/HS512 under `secret`), as a forger would. */
function hmacToken(alg: 'HS256' | 'HS512', secret: Uint8Array, header: Record<string, unknown> = {}) {
  const { sessionId, userId } = claims();
  return new SignJWT({ sid: sessionId, role: 'admin' })
    .setProtectedHeader({ ...header, alg })
    .setSubject(userId)
    .setIssuer('chronicle')
    .setAudience('chronicle-api')
    .setIssuedAt(now)
    .setExpirationTime(new Date(now.getTime() + 900_000))
    .setJti(randomUUID())
    .sign(secret);
}

describe('access tokens', () => {
  it('round-trips the claims, with 15 minutes of validity by default', async () => {
    const input = claims();
    const { token, expiresAt } = await issueAccessToken(input, { keys, now });
    expect(expiresAt).toEqual(new Date('2030-01-01T12:15:00Z'));
    expect(await verifyAccessToken(token, { keys, now: new Date('2030-01-01T12:14:59Z') })).toEqual({
      ...input,
      issuedAt: now,
      expiresAt,
    });
  });

  it('carries issuer, audience, a unique id and the EdDSA header naming the signing key', async () => {
    const first = await issueAccessToken(claims(), { keys, now });
    const second = await issueAccessToken(claims(), { keys, now });
    const [header, payload] = first.token.split('.');
    expect(decode(header)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: current.kid });
    const decoded = decode(payload);
    expect(decoded).toMatchObject({ iss: 'chronicle', aud: 'chronicle-api', role: 'creator' });
    expect(decoded.jti).not.toBe(decode(second.token.split('.')[1]).jti);
  });

  it('verifies a token of a retired key that still verifies, and refuses it once the key is gone', async () => {
    const retired = newKey();
    const { token } = await issueAccessToken(claims(), { keys: keySet(retired), now });
    const rotated = keySet(current, [current, retired]);
    expect((await verifyAccessToken(token, { keys: rotated, now })).role).toBe('creator');
    expect(await rejection(token, { keys, now })).toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  it('refuses an expired token as TOKEN_EXPIRED', async () => {
    const { token } = await issueAccessToken(claims(), { keys, now, ttlSeconds: 60 });
    const error = await rejection(token, { keys, now: new Date('2030-01-01T12:01:00Z') });
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('refuses a token whose kid is unknown, or missing', async () => {
    const { token } = await issueAccessToken(claims(), { keys: keySet(newKey()), now });
    expect(await rejection(token)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    const [, payload, signature] = token.split('.');
    const withoutKid = `${b64url({ alg: 'EdDSA', typ: 'JWT' })}.${payload}.${signature}`;
    expect(await rejection(withoutKid)).toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const impostor = newKey();
    const { token } = await issueAccessToken(claims(), {
      keys: { signingKey: async () => ({ kid: current.kid, privateKey: impostor.privateKey }) },
      now,
    });
    expect(await rejection(token)).toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  it('refuses a forged token even when it is also expired', async () => {
    const { token } = await issueAccessToken(claims(), {
      keys: keySet(newKey()),
      now: new Date('2020-01-01T00:00:00Z'),
    });
    expect(await rejection(token)).toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  it('refuses a payload changed after signing', async () => {
    const { token } = await issueAccessToken(claims(), { keys, now });
    const [header, payload, signature] = token.split('.');
    const changed = { ...decode(payload), role: 'admin' };
    expect(await rejection(`${header}.${b64url(changed)}.${signature}`)).toMatchObject({
      reason: 'TOKEN_INVALID',
    });
  });

  it('refuses an unsigned token (alg none), with or without a kid', async () => {
    const { token } = await issueAccessToken(claims(), { keys, now });
    const payload = token.split('.')[1];
    for (const header of [
      { alg: 'none', typ: 'JWT' },
      { alg: 'none', typ: 'JWT', kid: current.kid },
    ]) {
      expect(await rejection(`${b64url(header)}.${payload}.`)).toMatchObject({ reason: 'TOKEN_INVALID' });
    }
  });

  it('refuses HS256 tokens made with AUTH_SECRET (as before the upgrade, or forged), and HS512', async () => {
    for (const token of [
      await hmacToken('HS256', authSecret),
      await hmacToken('HS256', authSecret, { kid: current.kid, typ: 'JWT' }),
      await hmacToken('HS512', authSecret),
    ]) {
      expect(await rejection(token)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    }
  });

  it('refuses HS256 keyed with the public key itself (the algorithm-confusion attack)', async () => {
    const { token } = await issueAccessToken(claims(), { keys, now });
    const [, payload] = token.split('.');
    const header = b64url({ alg: 'HS256', typ: 'JWT', kid: current.kid });
    const publicBytes = current.publicKey.export({ format: 'der', type: 'spki' });
    const mac = createHmac('sha256', publicBytes).update(`${header}.${payload}`).digest('base64url');
    expect(await rejection(`${header}.${payload}.${mac}`)).toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  it('refuses garbage', async () => {
    for (const garbage of ['', 'garbage', 'a.b.c', 'Bearer x.y.z']) {
      expect(await rejection(garbage)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    }
  });

  it('refuses a correctly signed token with the wrong audience, issuer or role', async () => {
    const { sessionId, userId } = claims();
    const sign = (payload: Record<string, unknown>, issuer: string, audience: string) =>
      new SignJWT({ sid: sessionId, ...payload })
        .setProtectedHeader({ alg: 'EdDSA', kid: current.kid })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(new Date(now.getTime() + 900_000))
        .setJti(randomUUID())
        .sign(current.privateKey);
    for (const token of [
      await sign({ role: 'user' }, 'chronicle', 'another-api'),
      await sign({ role: 'user' }, 'someone-else', 'chronicle-api'),
      await sign({ role: 'superuser' }, 'chronicle', 'chronicle-api'),
      await sign({}, 'chronicle', 'chronicle-api'),
    ]) {
      expect(await rejection(token)).toMatchObject({ reason: 'TOKEN_INVALID' });
    }
  });
});
