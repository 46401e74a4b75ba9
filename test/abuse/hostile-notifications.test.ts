import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELYING_PARTY } from '../../src/auth/webauthn.ts';
import {
  fieldOf,
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
} from '../api/support/identity-app.ts';
import { PASSWORD, registerAndSignIn, type TestUser } from '../api/support/identity-operations.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { LEAKED_INTERNALS } from './hostile-schema.ts';

/**
 * Hostile input to issue 22's new inputs, against the full API on a real database: lists of ids past
 * their bound, push subscriptions with malformed keys and endpoints, time zones and quiet hours that
 * are huge, padded or in other scripts, recovery tokens of the wrong shape, and WebAuthn responses
 * that are garbage. Each is a typed error that names its reason and leaks no internals, nothing is
 * stored (no event, no row), and the server answers the next request as before.
 */
let api: IdentityApp;
let ada: TestUser;

const ORIGIN = DEFAULT_RELYING_PARTY.origins[0] as string;

interface RawResponse {
  status: number;
  body: GraphQLResponse;
}

async function post(query: string, variables: Record<string, unknown>, token?: string): Promise<RawResponse> {
  const response = await api.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify({ query, variables }),
  });
  return { status: response.statusCode, body: response.json() };
}

/** The first error's CODE/REASON, after checking the refusal is typed, not a 5xx, and leaks nothing. */
function refusal(response: RawResponse): string {
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
  const errors = response.body.errors ?? [];
  expect(errors.length, JSON.stringify(response.body)).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.extensions?.code, error.message).toBeTruthy();
    expect(error.extensions?.code).not.toBe('INTERNAL');
    expect(error.message).not.toMatch(LEAKED_INTERNALS);
  }
  const [first] = errors;
  return [first?.extensions?.code, first?.extensions?.reason].filter(Boolean).join('/');
}

/** As `refusal`, but 'ACCEPTED' when the server took the input (so a loop can list every miss). */
const answerOf = (response: RawResponse): string =>
  response.body.errors?.length ? refusal(response) : 'ACCEPTED';

async function eventCount(): Promise<number> {
  const { rows } = await api.runtime.pool.query<{ n: string }>('select count(*) as n from es_events');
  return Number(rows[0]?.n);
}

async function rowsOf(table: string, userId: string): Promise<number> {
  const { rows } = await api.runtime.pool.query<{ n: string }>(
    `select count(*) as n from ${table} where user_id = $1`,
    [userId],
  );
  return Number(rows[0]?.n);
}

async function expectHealthy(): Promise<void> {
  expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  const me = await api.gql('{ me { id } }', {}, ada.accessToken);
  expect(me.data?.me).toEqual({ id: ada.id });
}

beforeAll(async () => {
  api = await startIdentityApp();
  ada = await registerAndSignIn(api);
});
afterAll(async () => {
  await api?.close();
});

const MARK = 'mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }';

describe('read marks', () => {
  it('refuses more ids than a page, ids that are not UUIDs, and storing nothing', async () => {
    const before = await eventCount();
    const cases: [unknown, string][] = [
      [Array.from({ length: 101 }, () => randomUUID()), 'VALIDATION'],
      [Array.from({ length: 50_000 }, () => randomUUID()), 'VALIDATION'],
      [['not-a-uuid'], 'VALIDATION'],
      [[`${randomUUID()}\u0000`], 'VALIDATION'],
      [['ｆｆｆｆｆｆｆｆ-ｆｆｆｆ-ｆｆｆｆ-ｆｆｆｆ-ｆｆｆｆｆｆｆｆｆｆｆｆ'], 'VALIDATION'],
      [["' or 1=1 --"], 'VALIDATION'],
      [[null], 'GRAPHQL_VALIDATION_FAILED'],
      [[{ id: randomUUID() }], 'GRAPHQL_VALIDATION_FAILED'],
    ];
    for (const [ids, code] of cases) {
      const answer = refusal(await post(MARK, { ids }, ada.accessToken));
      expect(answer.split('/')[0], `${JSON.stringify(ids).slice(0, 80)} → ${answer}`).toBe(code);
    }
    // An empty list and someone else's (unknown) ids mark nothing, and say so.
    expect(fieldOf(await api.gql(MARK, { ids: [] }, ada.accessToken), 'markNotificationsRead')).toBe(0);
    const repeated = Array.from({ length: 100 }, () => '0195F0A1-0000-7000-8000-000000000001');
    expect(fieldOf(await api.gql(MARK, { ids: repeated }, ada.accessToken), 'markNotificationsRead')).toBe(0);
    expect(await eventCount()).toBe(before);
    await expectHealthy();
  });
});

const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;

function subscription() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

describe('push subscriptions', () => {
  it('refuses malformed keys and endpoints with INVALID_PUSH_SUBSCRIPTION or INVALID_INPUT, storing nothing', async () => {
    const before = await eventCount();
    const good = subscription();
    const point = Buffer.from(good.keys.p256dh, 'base64url');
    const keys = (p256dh: string, auth = good.keys.auth) => ({ ...good, keys: { p256dh, auth } });
    const endpoint = (url: string) => ({ ...good, endpoint: url });
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 0xff)]).toString('base64url');
    const compressed = Buffer.concat([Buffer.from([2 + ((point[64] ?? 0) % 2)]), point.subarray(1, 33)]);
    const cases: [ReturnType<typeof subscription>, string][] = [
      [keys(offCurve), 'P256DH'],
      [keys(Buffer.alloc(65).toString('base64url')), 'P256DH'],
      [keys(compressed.toString('base64url')), 'P256DH'],
      [keys(point.subarray(0, 64).toString('base64url')), 'P256DH'],
      [keys(Buffer.concat([point, Buffer.from([0])]).toString('base64url')), 'P256DH'],
      [keys(`${good.keys.p256dh.slice(0, 10)}+/${good.keys.p256dh.slice(12)}`), 'P256DH'], // '+' and '/' are not base64url
      [keys(''), 'P256DH'],
      [keys('🔑'.repeat(40)), 'P256DH'],
      [keys(`${good.keys.p256dh}\u0000`), 'INVALID_INPUT'], // NUL is refused in any input
      [keys('A'.repeat(10_000)), 'INVALID_INPUT'],
      [keys(good.keys.p256dh, randomBytes(15).toString('base64url')), 'AUTH'],
      [keys(good.keys.p256dh, randomBytes(17).toString('base64url')), 'AUTH'],
      [keys(good.keys.p256dh, ''), 'AUTH'],
      [keys(good.keys.p256dh, 'x'.repeat(5_000)), 'INVALID_INPUT'],
      [endpoint('javascript:alert(1)'), 'ENDPOINT'],
      [endpoint('file:///etc/passwd'), 'ENDPOINT'],
      [endpoint('data:text/plain,hi'), 'ENDPOINT'],
      [endpoint('ftp://push.example.net/x'), 'ENDPOINT'],
      [endpoint('https://user:secret@push.example.net/x'), 'ENDPOINT'],
      [endpoint('https://127.0.0.1/push'), 'ENDPOINT'],
      [endpoint('https://[::1]/push'), 'ENDPOINT'],
      [endpoint('https://10.0.0.7/push'), 'ENDPOINT'],
      [endpoint('https://[::ffff:169.254.169.254]/latest'), 'ENDPOINT'],
      [endpoint('https://2130706433/push'), 'ENDPOINT'],
      [endpoint('//push.example.net/x'), 'ENDPOINT'],
      [endpoint(`https://push.example.net/${'a'.repeat(3_000)}`), 'INVALID_INPUT'],
      [endpoint('   '), 'INVALID_INPUT'],
    ];
    const wrong: string[] = [];
    for (const [pushSubscription, expected] of cases) {
      const response = await post(
        REGISTER,
        { input: { platform: 'WEB', appVersion: '1.0.0', pushSubscription } },
        ada.accessToken,
      );
      const answer = answerOf(response);
      const problem = response.body.errors?.[0]?.extensions?.problem;
      const got = answer === 'VALIDATION/INVALID_PUSH_SUBSCRIPTION' ? String(problem) : answer;
      const want = expected === 'INVALID_INPUT' ? 'VALIDATION/INVALID_INPUT' : expected;
      if (got !== want) wrong.push(`${JSON.stringify(pushSubscription).slice(0, 300)}: ${got}, not ${want}`);
    }
    expect(wrong).toEqual([]);
    // Other fields: a platform outside the enum, an app version too long or empty, unknown fields.
    for (const input of [
      { platform: 'WINDOWS_PHONE', appVersion: '1', pushSubscription: good },
      { platform: 'WEB', appVersion: 'v'.repeat(51), pushSubscription: good },
      { platform: 'WEB', appVersion: '   ', pushSubscription: good },
      { platform: 'WEB', appVersion: '1', pushSubscription: { ...good, extra: 'x' } },
      { platform: 'WEB', appVersion: '1', pushSubscription: { endpoint: good.endpoint } },
    ]) {
      expect(['VALIDATION/INVALID_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(
        refusal(await post(REGISTER, { input }, ada.accessToken)),
      );
    }
    expect(await eventCount()).toBe(before);
    expect(await rowsOf('devices', ada.id)).toBe(0);
    await expectHealthy();
  });
});

const UPDATE = `mutation ($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { timeZone quietHours { start end } }
}`;
const PREFERENCES = '{ notificationPreferences { timeZone quietHours { start end } emailDigest } }';

describe('time zones, quiet hours and channels', () => {
  it('refuses huge, padded, lookalike and made-up values with the reason, changing nothing', async () => {
    const set = fieldOf(
      await api.gql(
        UPDATE,
        { input: { timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } } },
        ada.accessToken,
      ),
      'updateNotificationPreferences',
    );
    expect(set).toEqual({ timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } });
    const stored = await api.gql(PREFERENCES, {}, ada.accessToken);
    const before = await eventCount();
    const zone = (timeZone: unknown) => ({ timeZone });
    const quiet = (start: string, end: string) => ({ quietHours: { start, end } });
    const channels = (list: unknown[]) => ({ channels: list });
    const cases: [object, string][] = [
      [zone('Europe/Lоndon'), 'INVALID_TIME_ZONE'], // Cyrillic о
      [zone('Europe/London\u0000'), 'INVALID_INPUT'], // NUL is refused in any input
      [zone(' Europe/London'), 'INVALID_TIME_ZONE'],
      [zone('+01:00'), 'INVALID_TIME_ZONE'],
      [zone('Etc/GMT+25'), 'INVALID_TIME_ZONE'],
      [zone('../../../etc/passwd'), 'INVALID_TIME_ZONE'],
      [zone('🕰️'), 'INVALID_TIME_ZONE'],
      [zone(''), 'INVALID_TIME_ZONE'],
      [zone('Europe/'.repeat(5_000)), 'INVALID_INPUT'],
      [quiet('24:00', '07:00'), 'INVALID_QUIET_HOURS'],
      [quiet('7:00', '08:00'), 'INVALID_QUIET_HOURS'],
      [quiet('07:60', '08:00'), 'INVALID_QUIET_HOURS'],
      [quiet('٠٧:٠٠', '08:00'), 'INVALID_QUIET_HOURS'], // Arabic-Indic digits
      [quiet('07:00\n', '08:00'), 'INVALID_QUIET_HOURS'],
      [quiet('07:00', '07:00'), 'INVALID_QUIET_HOURS'],
      [quiet('0'.repeat(50_000), '08:00'), 'INVALID_INPUT'],
      [channels([{ type: 'NOT_A_TYPE', push: false }]), 'UNKNOWN_NOTIFICATION_TYPE'],
      [channels([{ type: 'VIDEO_LIKED\u200b', push: false }]), 'UNKNOWN_NOTIFICATION_TYPE'],
      [channels([{ type: '__proto__', push: false }]), 'UNKNOWN_NOTIFICATION_TYPE'],
      [channels([{ type: 'constructor', push: false }]), 'UNKNOWN_NOTIFICATION_TYPE'],
      [channels([{ type: 'x'.repeat(50_000), push: false }]), 'INVALID_INPUT'],
      [channels([{ type: 'PASSWORD_RESET', email: false }]), 'SECURITY_NOTIFICATION_REQUIRED'],
      [channels(Array.from({ length: 101 }, () => ({ type: 'VIDEO_LIKED', push: false }))), 'INVALID_INPUT'],
    ];
    const wrong: string[] = [];
    for (const [input, reason] of cases) {
      const answer = answerOf(await post(UPDATE, { input }, ada.accessToken));
      if (answer !== `VALIDATION/${reason}`) wrong.push(`${JSON.stringify(input).slice(0, 100)}: ${answer}`);
    }
    expect(wrong).toEqual([]);
    expect(await eventCount()).toBe(before);
    expect(await api.gql(PREFERENCES, {}, ada.accessToken)).toEqual(stored);
    await expectHealthy();
  });
});

describe('recovery tokens of the wrong shape', () => {
  it('answers INVALID_TOKEN to anything this server did not sign for that purpose, storing nothing', async () => {
    const before = await eventCount();
    const shapes = [
      '',
      'x',
      'A'.repeat(56),
      randomBytes(56).toString('base64url'),
      randomBytes(56).toString('base64'),
      `${randomBytes(56).toString('base64url')}==`,
      ada.accessToken,
      ada.refreshToken,
      'é'.repeat(75),
      '🔑'.repeat(40),
      "' or 1=1 --",
      `${randomBytes(56).toString('base64url')}\u0000`,
      'A'.repeat(100_000),
    ];
    const refusals = ['VALIDATION/INVALID_TOKEN', 'VALIDATION/INVALID_INPUT'];
    for (const t of shapes) {
      const label = t.slice(0, 40);
      const verify = refusal(
        await post('mutation ($t: String!) { verifyEmail(token: $t) { userId } }', { t }),
      );
      expect(refusals, `verifyEmail ${label}`).toContain(verify);
      const reset = refusal(
        await post('mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }', {
          t,
          p: 'A-perfectly-fine-passw0rd!',
        }),
      );
      expect(refusals, `resetPassword ${label}`).toContain(reset);
    }
    expect(await eventCount()).toBe(before);
    await expectHealthy();
  });
});

describe('unsubscribe links of the wrong shape', () => {
  it('answers 400 to every token it did not sign, on GET and POST, changing nothing', async () => {
    const before = await eventCount();
    const tokens = [
      '',
      'x',
      'A'.repeat(300),
      'A'.repeat(20_000),
      randomBytes(60).toString('base64url'),
      ada.accessToken,
      '%00',
      '%F0%9F%94%91',
      '%ZZ',
      "'%20or%201=1%20--",
      '<script>alert(1)</script>',
    ];
    const wrong: string[] = [];
    for (const token of tokens) {
      for (const url of [
        `/notifications/unsubscribe?token=${token}`,
        `/notifications/unsubscribe?token=${token}&token=${token}`,
        `/notifications/unsubscribe?token[a]=${token}`,
      ]) {
        for (const method of ['GET', 'POST'] as const) {
          const response = await api.app.inject({
            method,
            url,
            ...(method === 'POST'
              ? {
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  payload: 'List-Unsubscribe=One-Click',
                }
              : {}),
          });
          if (response.statusCode !== 400 || response.body.includes('<script>alert'))
            wrong.push(`${method} ${url.slice(0, 80)}: ${response.statusCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await eventCount()).toBe(before);
    await expectHealthy();
  });
});

const FINISH_REGISTRATION = `mutation ($r: WebAuthnJSON!, $n: String!) {
  finishPasskeyRegistration(response: $r, name: $n) { credentialId }
}`;
const FINISH_SIGN_IN = `mutation ($r: WebAuthnJSON!) { finishPasskeySignIn(response: $r) { accessToken } }`;

describe('WebAuthn responses that are garbage', () => {
  it('refuses them as INVALID_PASSKEY_RESPONSE (or a sign-in refusal), storing nothing and no passkey', async () => {
    // A live challenge, so that garbage carrying it is checked past the challenge too.
    const options = fieldOf<{ challenge: string }>(
      await api.gql(
        'mutation ($p: String!) { startPasskeyRegistration(currentPassword: $p) }',
        { p: PASSWORD },
        ada.accessToken,
      ),
      'startPasskeyRegistration',
    );
    const real = new SoftwareAuthenticator({ origin: ORIGIN }).create(options) as {
      id: string;
      rawId: string;
      type: string;
      response: { clientDataJSON: string; attestationObject: string };
    };
    const clientData = (data: object) => Buffer.from(JSON.stringify(data)).toString('base64url');
    const garbage: unknown[] = [
      'null',
      42,
      [],
      [{ id: 'x' }],
      {},
      { id: 'x', rawId: 'x', type: 'public-key', response: {} },
      { ...real, response: { ...real.response, clientDataJSON: 'not base64url!' } },
      { ...real, response: { ...real.response, clientDataJSON: clientData({ type: 'webauthn.get' }) } },
      {
        ...real,
        response: {
          ...real.response,
          clientDataJSON: clientData({
            type: 'webauthn.create',
            challenge: 'A'.repeat(10_000),
            origin: ORIGIN,
          }),
        },
      },
      { ...real, response: { ...real.response, attestationObject: randomBytes(64).toString('base64url') } },
      { ...real, response: { ...real.response, attestationObject: 'A'.repeat(60_000) } },
      { ...real, type: 'password' },
      { ...real, id: '🔑', rawId: '🔑' },
      JSON.parse(`${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`),
    ];
    const before = await eventCount();
    const wrong: string[] = [];
    for (const response of garbage) {
      const label = JSON.stringify(response).slice(0, 100);
      const registration = refusal(
        await post(FINISH_REGISTRATION, { r: response, n: 'Garbage' }, ada.accessToken),
      );
      const signIn = refusal(await post(FINISH_SIGN_IN, { r: response }));
      // Values that are not JSON objects are refused by the WebAuthnJSON scalar's coercion.
      const expected = ['VALIDATION/INVALID_PASSKEY_RESPONSE', 'GRAPHQL_VALIDATION_FAILED'];
      if (!expected.includes(registration) || !expected.includes(signIn)) {
        wrong.push(`${label}: registration ${registration}, sign-in ${signIn}`);
      }
    }
    expect(wrong).toEqual([]);
    // A garbage name beside a real response: refused before the challenge is spent.
    for (const name of ['', '   ', 'n'.repeat(101)]) {
      expect(refusal(await post(FINISH_REGISTRATION, { r: real, n: name }, ada.accessToken))).toBe(
        'VALIDATION/INVALID_INPUT',
      );
    }
    expect(await eventCount()).toBe(before);
    expect(await rowsOf('passkeys', ada.id)).toBe(0);
    await expectHealthy();
  });

  it('refuses a huge or malformed e-mail address for passkey sign-in without a 5xx', async () => {
    for (const email of ['x'.repeat(100_000), 'not an address', '\u0000@example.org', '🔑@🔑.🔑']) {
      const response = await post('mutation ($e: String) { startPasskeySignIn(email: $e) }', { e: email });
      expect(response.status).toBeLessThan(500);
      // An address with no passkeys gets decoy options (same shape), or the input is refused as such.
      if (response.body.errors) expect(refusal(response)).toMatch(/^VALIDATION/);
      else expect(response.body.data?.startPasskeySignIn).toMatchObject({ challenge: expect.any(String) });
    }
    await expectHealthy();
  });
});
