import { createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keyIdOf, publicJwkOf } from '../../../src/auth/signing-key-material.ts';
import { runCli } from '../../support/cli.ts';
import { ME_CHANGED, type MeChanged } from '../subscriptions/support/operations.ts';
import { connect, graphqlWsUrl, subscribe } from '../subscriptions/support/ws-client.ts';
import { errorCodes, type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { ME, registerAndSignIn, signIn, type TestUser } from '../support/identity-operations.ts';

/**
 * Access tokens signed with rotating Ed25519 keys, end to end: the API signs and verifies, an
 * integrator verifies with the JWKS and node:crypto alone, `chronicle keys` (a real child process)
 * rotates and lists, and a second API process on the same database keeps up.
 */

interface Jwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  alg: string;
  use: string;
}

const segments = (token: string) => token.split('.') as [string, string, string];
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
const kidOf = (token: string): string => decode(segments(token)[0]).kid;

/** What an integrator does with nothing but the JWKS and node:crypto. */
function integratorVerifies(token: string, jwks: { keys: Jwk[] }): boolean {
  const [header, payload, signature] = segments(token);
  const { alg, kid } = decode(header);
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (alg !== 'EdDSA' || !jwk) return false;
  const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  return verify(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
}

describe('signing keys, the JWKS and chronicle keys', () => {
  let api: IdentityApp;
  /** A second API process on the same database, reading its keys at the production pace. */
  let second: IdentityApp;
  let user: TestUser;
  let emptyDir: string;

  const keysCli = (args: string[], env: Record<string, string> = {}) =>
    runCli(['keys', ...args], {
      DATABASE_URL: api.databaseUrl,
      AUTH_SECRET: TEST_AUTH_SECRET,
      LOG_LEVEL: 'warn',
      ...env,
    });

  const jwks = async (app = api) => {
    const response = await app.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    return { response, body: response.json<{ keys: Jwk[] }>() };
  };

  const me = async (app: IdentityApp, token: string) => app.gql(ME, {}, token);

  beforeAll(async () => {
    api = await startIdentityApp({ signingKeys: { refreshMs: 200, minReadIntervalMs: 50 } });
    second = await startIdentityApp({ databaseUrl: api.databaseUrl, projector: false });
    user = await registerAndSignIn(api, 'Integrator Ida');
    emptyDir = await mkdtemp(path.join(tmpdir(), 'chronicle-keys-'));
  });
  afterAll(async () => {
    await second?.close();
    await api?.close();
    if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
  });

  it('serves the public keys as a JWKS, briefly cacheable, without private parts', async () => {
    const { response, body } = await jwks();
    expect(response.headers['cache-control']).toBe('public, max-age=60');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(body.keys).toHaveLength(1);
    const [key] = body.keys;
    expect(key).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      kid: kidOf(user.accessToken),
      alg: 'EdDSA',
      use: 'sig',
    });
    // Every API process publishes the same set.
    expect((await jwks(second)).body).toEqual(body);
  });

  it('issues tokens an integrator verifies with the JWKS and node:crypto alone', async () => {
    const { body } = await jwks();
    expect(decode(segments(user.accessToken)[0])).toEqual({
      alg: 'EdDSA',
      typ: 'JWT',
      kid: body.keys[0]?.kid,
    });
    expect(integratorVerifies(user.accessToken, body)).toBe(true);
    const claims = decode(segments(user.accessToken)[1]);
    expect(claims).toMatchObject({ sub: user.id, iss: 'chronicle', aud: 'chronicle-api' });
    expect(claims.exp - claims.iat).toBe(900);
    // A token changed after signing is not.
    const [header, , signature] = segments(user.accessToken);
    const changed = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(integratorVerifies(`${header}.${changed}.${signature}`, body)).toBe(false);
  });

  it('refuses unknown kids, alg none and HS256 tokens made with AUTH_SECRET', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = () =>
      new SignJWT({ sid: randomUUID(), role: 'admin' })
        .setSubject(user.id)
        .setIssuer('chronicle')
        .setAudience('chronicle-api')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(randomUUID());
    const authSecret = new TextEncoder().encode(TEST_AUTH_SECRET);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const strangerKid = keyIdOf(publicJwkOf(createPublicKey(stranger)));
    const [, payload] = segments(user.accessToken);
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forgeries = {
      unknownKid: await claims().setProtectedHeader({ alg: 'EdDSA', kid: strangerKid }).sign(stranger),
      knownKidOtherKey: await claims()
        .setProtectedHeader({ alg: 'EdDSA', kid: kidOf(user.accessToken) })
        .sign(stranger),
      algNone: `${b64({ alg: 'none', typ: 'JWT', kid: kidOf(user.accessToken) })}.${payload}.`,
      hs256AuthSecret: await claims().setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(authSecret),
      hs256AuthSecretWithKid: await claims()
        .setProtectedHeader({ alg: 'HS256', kid: kidOf(user.accessToken) })
        .sign(authSecret),
    };
    for (const [name, token] of Object.entries(forgeries)) {
      for (const app of [api, second]) {
        expect(errorCodes(await me(app, token)), name).toEqual(['UNAUTHENTICATED/TOKEN_INVALID']);
      }
    }
    // The genuine token, on either process.
    expect((await me(second, user.accessToken)).data?.me).toMatchObject({ id: user.id });
  });

  describe('after chronicle keys rotate', () => {
    let oldKid: string;
    let newKid: string;
    let fresh: string;

    beforeAll(async () => {
      oldKid = kidOf(user.accessToken);
      // The second process has read its keys (before the rotation) and will not read them again
      // for a minute unless a token makes it.
      expect((await me(second, user.accessToken)).errors).toBeUndefined();
      const rotated = await keysCli(['rotate']);
      expect(rotated.stderr).toBe('');
      expect(rotated.code).toBe(0);
      const line = /^new signing key (\S{43}) \(.*\); (\S{43}) verifies until (\S+)\n$/.exec(rotated.stdout);
      expect(line, rotated.stdout).not.toBeNull();
      newKid = line?.[1] ?? '';
      expect(line?.[2]).toBe(oldKid);
      const until = new Date(line?.[3] ?? '').getTime();
      expect(until - Date.now()).toBeGreaterThan(19 * 60_000);
      expect(until - Date.now()).toBeLessThanOrEqual(20 * 60_000);
    });

    it('signs new tokens with the new key, within the refresh of each process', async () => {
      expect(newKid).not.toBe(oldKid);
      await vi.waitFor(
        async () => {
          fresh = (await signIn(api, user.email)).accessToken;
          expect(kidOf(fresh)).toBe(newKid);
        },
        { timeout: 5_000, interval: 100 },
      );
      // The second process has not read the keys since; the new kid makes it read them at once.
      expect((await me(second, fresh)).data?.me).toMatchObject({ id: user.id });
      expect((await me(api, fresh)).data?.me).toMatchObject({ id: user.id });
    });

    it('still accepts the old key until its tokens expire, and publishes both', async () => {
      for (const app of [api, second]) {
        expect((await me(app, user.accessToken)).data?.me, 'old token').toMatchObject({ id: user.id });
      }
      const { body } = await jwks();
      expect(body.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
      expect(integratorVerifies(user.accessToken, body)).toBe(true);
      expect(integratorVerifies(fresh, body)).toBe(true);
    });

    it('keeps WebSocket subscriptions working with old and new tokens', async () => {
      const url = await graphqlWsUrl(api.app);
      for (const token of [user.accessToken, fresh]) {
        const client = connect(url, token);
        try {
          const changes = subscribe<MeChanged>(client, 'meChanged', ME_CHANGED);
          await changes.received(1);
          expect(changes.values[0]).toMatchObject({ id: user.id });
        } finally {
          await client.dispose();
        }
      }
    });

    it('lists kid, created, retired and status', async () => {
      const listed = await keysCli(['list']);
      expect(listed.code).toBe(0);
      const lines = listed.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^kid\s+created\s+retired\s+status$/);
      expect(lines[1]).toMatch(new RegExp(`^${newKid}\\s+\\S+Z\\s+-\\s+signing$`));
      expect(lines[2]).toMatch(new RegExp(`^${oldKid}\\s+\\S+Z\\s+\\S+Z\\s+verifying until \\S+Z$`));
      expect(lines).toHaveLength(3);
    });

    it('drops the old key once its tokens cannot be alive: gone from the JWKS, its tokens refused', async () => {
      // Twenty minutes pass for the retired key.
      await api.runtime.pool.query(
        `update access_token_signing_keys
            set retired_at = retired_at - interval '20 minutes',
                verifies_until = verifies_until - interval '20 minutes'
          where kid = $1`,
        [oldKid],
      );
      await vi.waitFor(async () => expect((await jwks()).body.keys.map((key) => key.kid)).toEqual([newKid]), {
        timeout: 5_000,
        interval: 100,
      });
      // A verified token is remembered by its text for up to 1 s (docs/security.md); this one's own
      // expiry is still ahead, since only the key's dates were moved, so the refusal may take that long.
      await vi.waitFor(
        async () =>
          expect(errorCodes(await me(api, user.accessToken))).toEqual(['UNAUTHENTICATED/TOKEN_INVALID']),
        { timeout: 3_000, interval: 100 },
      );
      expect((await me(api, fresh)).data?.me).toMatchObject({ id: user.id });
      const listed = await keysCli(['list']);
      expect(listed.stdout).toMatch(new RegExp(`^${oldKid}\\s+\\S+Z\\s+\\S+Z\\s+expired$`, 'm'));
    });
  });

  describe('chronicle keys failing', () => {
    const countKeys = async () =>
      Number(
        (await api.runtime.pool.query<{ n: string }>('select count(*) as n from access_token_signing_keys'))
          .rows[0]?.n,
      );
    const oneLine = (stderr: string) => expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);

    it('refuses to rotate with an AUTH_SECRET that does not open the current key, changing nothing', async () => {
      const before = await countKeys();
      const result = await keysCli(['rotate'], { AUTH_SECRET: 'not-the-api-secret-but-32-characters-long' });
      expect(result.code).toBe(1);
      oneLine(result.stderr);
      expect(result.stderr).toMatch(
        /^chronicle: AUTH_SECRET does not open the current signing key \S{43}: .*nothing was changed/,
      );
      expect(result.stdout).toBe('');
      expect(await countKeys()).toBe(before);
    });

    it('will not seal a key with a secret of its own making', async () => {
      const result = await keysCli(['rotate'], { AUTH_SECRET: '', DATA_DIR: emptyDir });
      expect(result.code).toBe(2);
      oneLine(result.stderr);
      expect(result.stderr).toContain('AUTH_SECRET is unset');
    });

    it('says in one line when it has no database, or cannot reach it', async () => {
      const none = await keysCli(['list'], { DATABASE_URL: '', DATA_DIR: emptyDir });
      expect(none.code).toBe(1);
      oneLine(none.stderr);
      expect(none.stderr).toContain('no DATABASE_URL and no chronicle dev running');
      const unreachable = await keysCli(['rotate'], { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none' });
      expect(unreachable.code).toBe(1);
      oneLine(unreachable.stderr);
      expect(unreachable.stderr).toContain('cannot reach PostgreSQL at DATABASE_URL');
    });

    it('names its sub-commands on a usage error', async () => {
      const result = await keysCli(['spin']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('keys takes: rotate | list');
    });
  });
});
