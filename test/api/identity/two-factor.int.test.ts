import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../../src/auth/totp.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { LOGIN, ME, PASSWORD, registerAndSignIn, signIn } from '../support/identity-operations.ts';

describe('two-factor sign-in (TOTP)', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  async function enrol() {
    const user = await registerAndSignIn(api);
    const setup = await api.gql('mutation { enableTotp { secret otpauthUri } }', {}, user.accessToken);
    const { secret, otpauthUri } = fieldOf<{ secret: string; otpauthUri: string }>(setup, 'enableTotp');
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const step = totpStep(new Date());
    const verify = await api.gql(
      'mutation ($code: String!) { verifyTotp(code: $code) { backupCodes } }',
      { code: totpCode(secret, step) },
      user.accessToken,
    );
    expect(verify.errors).toBeUndefined();
    const { backupCodes } = fieldOf<{ backupCodes: string[] }>(verify, 'verifyTotp');
    return { user, secret, step, backupCodes };
  }

  it('is off until a first code confirms it; a wrong first code is refused', async () => {
    const user = await registerAndSignIn(api);
    await api.gql('mutation { enableTotp { secret } }', {}, user.accessToken);
    const wrong = await api.gql(
      'mutation { verifyTotp(code: "000000") { backupCodes } }',
      {},
      user.accessToken,
    );
    expect(errorCodes(wrong)).toEqual(['VALIDATION/INVALID_TOTP_CODE']);
    expect(
      errorCodes(
        await api.gql('mutation { verifyTotp(code: "12ab") { backupCodes } }', {}, user.accessToken),
      ),
    ).toEqual(['VALIDATION/INVALID_INPUT']);
    // Not confirmed, so signing in still takes the password only.
    await signIn(api, user.email);
  });

  it('then requires a code at sign-in, refuses a replayed one, and accepts the next', async () => {
    const { user, secret, step, backupCodes } = await enrol();
    expect(backupCodes).toHaveLength(10);
    expect((await api.gql(ME, {}, user.accessToken)).data?.me).toMatchObject({ totpEnabled: true });

    const withoutCode = await api.gql(LOGIN, { input: { email: user.email, password: PASSWORD } });
    expect(errorCodes(withoutCode)).toEqual(['UNAUTHENTICATED/TOTP_REQUIRED']);
    // The code that confirmed the set-up has been used: a replay is refused.
    const replay = await api.gql(LOGIN, {
      input: { email: user.email, password: PASSWORD, secondFactor: totpCode(secret, step) },
    });
    expect(errorCodes(replay)).toEqual(['UNAUTHENTICATED/INVALID_SECOND_FACTOR']);
    // The next step's code is inside the ±1 step window.
    await signIn(api, user.email, totpCode(secret, step + 1));
  });

  it('accepts each backup code once', async () => {
    const { user, backupCodes } = await enrol();
    const [code] = backupCodes;
    await signIn(api, user.email, code);
    const again = await api.gql(LOGIN, {
      input: { email: user.email, password: PASSWORD, secondFactor: code },
    });
    expect(errorCodes(again)).toEqual(['UNAUTHENTICATED/INVALID_SECOND_FACTOR']);
  });
});
