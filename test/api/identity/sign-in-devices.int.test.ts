import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELYING_PARTY } from '../../../src/auth/webauthn.ts';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { users } from '../../../src/services/identity/aggregates.ts';
import { SoftwareAuthenticator } from '../../support/software-authenticator.ts';
import {
  fieldOf,
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
} from '../support/identity-app.ts';
import { identityDeps, PASSWORD, registerUser } from '../support/identity-operations.ts';

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken deviceId } }`;
const FIREFOX_131 = 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0';
const FIREFOX_132 = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** Sign-in devices: the client's device id is the identity, the user agent only labels it. */
describe('sign-in devices (API)', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  const gqlAs = async (userAgent: string, query: string, variables: Record<string, unknown>) =>
    (
      await api.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'user-agent': userAgent },
        payload: { query, variables },
      })
    ).json<GraphQLResponse>();
  const login = async (email: string, userAgent: string, deviceId?: string) => {
    const response = await gqlAs(userAgent, LOGIN, {
      input: { email, password: PASSWORD, ...(deviceId ? { deviceId } : {}) },
    });
    expect(response.errors).toBeUndefined();
    return fieldOf<{ accessToken: string; deviceId: string }>(response, 'login');
  };
  const lastDevice = async (userId: string) => {
    const { events } = await loadAggregate(identityDeps(api), users, userStream(userId));
    const last = events.filter(({ event }) => event.type === 'LoginSucceeded').at(-1)?.event;
    return last?.type === 'LoginSucceeded' ? last.data.device : undefined;
  };

  it('issues a device id when the client sent none, the same one again from the same browser', async () => {
    const { id, email } = await registerUser(api);
    const first = await login(email, FIREFOX_131);
    expect(first.deviceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await login(email, FIREFOX_131)).deviceId).toBe(first.deviceId);
    expect(await lastDevice(id)).toMatchObject({ label: 'Firefox on Linux', newDevice: false });
    // A client that sends its own id gets it back.
    expect((await login(email, FIREFOX_131, first.deviceId)).deviceId).toBe(first.deviceId);
    expect(await lastDevice(id)).toMatchObject({ newDevice: false });
  });

  it('a browser update with the kept id is the same device; a copied user agent with another id is not', async () => {
    const { id, email } = await registerUser(api);
    const { deviceId } = await login(email, FIREFOX_131);
    await login(email, FIREFOX_132, deviceId);
    expect(await lastDevice(id)).toMatchObject({ label: 'Firefox on Linux', newDevice: false });
    // Someone with the password and the victim's exact user agent, but not the installation's id.
    const intruder = await login(email, FIREFOX_132, 'an-id-of-the-intruders-own');
    expect(intruder.deviceId).toBe('an-id-of-the-intruders-own');
    expect(await lastDevice(id)).toMatchObject({ newDevice: true });
    // Without any id the user agent is all there is: a browser never seen before is new.
    await login(email, CHROME);
    expect(await lastDevice(id)).toMatchObject({ label: 'Chrome on Windows', newDevice: true });
  });

  it('a passkey sign-in records the presented device and answers with its id', async () => {
    const { id, email } = await registerUser(api);
    const { accessToken, deviceId } = await login(email, FIREFOX_131);
    const authenticator = new SoftwareAuthenticator({ origin: DEFAULT_RELYING_PARTY.origins[0] as string });
    const options = fieldOf<Parameters<SoftwareAuthenticator['create']>[0]>(
      await api.gql(
        'mutation ($p: String!) { startPasskeyRegistration(currentPassword: $p) }',
        { p: PASSWORD },
        accessToken,
      ),
      'startPasskeyRegistration',
    );
    const finished = await api.gql(
      'mutation ($r: WebAuthnJSON!) { finishPasskeyRegistration(response: $r, name: "Laptop") { credentialId } }',
      { r: authenticator.create(options) },
      accessToken,
    );
    expect(finished.errors).toBeUndefined();
    const signIn = async (userAgent: string, sentId?: string) => {
      const challenge = fieldOf<Parameters<SoftwareAuthenticator['get']>[0]>(
        await api.gql('mutation { startPasskeySignIn }'),
        'startPasskeySignIn',
      );
      const response = await gqlAs(
        userAgent,
        `mutation ($r: WebAuthnJSON!, $d: String) { finishPasskeySignIn(response: $r, deviceId: $d) { deviceId } }`,
        { r: authenticator.get(challenge), d: sentId ?? null },
      );
      expect(response.errors).toBeUndefined();
      return fieldOf<{ deviceId: string }>(response, 'finishPasskeySignIn');
    };
    expect((await signIn(FIREFOX_132, deviceId)).deviceId).toBe(deviceId);
    expect(await lastDevice(id)).toMatchObject({ label: 'Firefox on Linux', newDevice: false });
    await signIn(CHROME, 'a-stranger-installation');
    expect(await lastDevice(id)).toMatchObject({ label: 'Chrome on Windows', newDevice: true });
  });
});
