import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueAccessToken, verifyAccessToken } from '../../src/auth/access-tokens.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';

const secret = new TextEncoder().encode('a-test-secret-that-is-at-least-32-characters');
const now = new Date('2030-01-01T12:00:00Z');
const claims = () => ({ userId: randomUUID(), sessionId: randomUUID(), role: 'creator' as const });

async function rejection(token: string, options = { secret, now }): Promise<DomainError> {
  const error = await verifyAccessToken(token, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  it('round-trips the claims, with 15 minutes of validity by default', async () => {
    const input = claims();
    const { token, expiresAt } = await issueAccessToken(input, { secret, now });
    expect(expiresAt).toEqual(new Date('2030-01-01T12:15:00Z'));
    expect(await verifyAccessToken(token, { secret, now: new Date('2030-01-01T12:14:59Z') })).toEqual({
      ...input,
      issuedAt: now,
      expiresAt,
    });
  });

  it('carries issuer, audience, a unique id and the HS256 header', async () => {
    const first = await issueAccessToken(claims(), { secret, now });
    const second = await issueAccessToken(claims(), { secret, now });
    const [header, payload] = first.token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    const decoded = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    expect(decoded).toMatchObject({ iss: 'chronicle', aud: 'chronicle-api', role: 'creator' });
    expect(decoded.jti).not.toBe(
      JSON.parse(Buffer.from(second.token.split('.')[1] ?? '', 'base64url').toString()).jti,
    );
  });

  it('refuses an expired token as TOKEN_EXPIRED', async () => {
    const { token } = await issueAccessToken(claims(), { secret, now, ttlSeconds: 60 });
    const error = await rejection(token, { secret, now: new Date('2030-01-01T12:01:00Z') });
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('refuses a token signed with another secret', async () => {
    const other = new TextEncoder().encode('another-secret-that-is-at-least-32-characters');
    const { token } = await issueAccessToken(claims(), { secret: other, now });
    expect(await rejection(token)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('refuses a forged token even when it is also expired', async () => {
    const other = new TextEncoder().encode('another-secret-that-is-at-least-32-characters');
    const { token } = await issueAccessToken(claims(), {
      secret: other,
      now: new Date('2020-01-01T00:00:00Z'),
    });
    expect(await rejection(token)).toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  it('refuses a payload changed after signing', async () => {
    const { token } = await issueAccessToken(claims(), { secret, now });
    const [header, payload, signature] = token.split('.');
    const changed = { ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), role: 'admin' };
    expect(await rejection(`${header}.${b64url(changed)}.${signature}`)).toMatchObject({
      reason: 'TOKEN_INVALID',
    });
  });

  it('refuses an unsigned token (alg none)', async () => {
    const { token } = await issueAccessToken(claims(), { secret, now });
    const payload = token.split('.')[1];
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expect(await rejection(unsigned)).toMatchObject({ reason: 'TOKEN_INVALID' });
  });

  it('refuses another HMAC algorithm, even with the right secret', async () => {
    const { sessionId, userId } = claims();
    const token = await new SignJWT({ sid: sessionId, role: 'user' })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(userId)
      .setIssuer('chronicle')
      .setAudience('chronicle-api')
      .setIssuedAt(now)
      .setExpirationTime(new Date(now.getTime() + 900_000))
      .setJti(randomUUID())
      .sign(secret);
    expect(await rejection(token)).toMatchObject({ reason: 'TOKEN_INVALID' });
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
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(new Date(now.getTime() + 900_000))
        .setJti(randomUUID())
        .sign(secret);
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
