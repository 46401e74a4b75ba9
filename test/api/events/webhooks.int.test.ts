import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventWebhookSigningSecret } from '../../../src/channels/webhook-signature.ts';
import {
  MAX_TYPES,
  MAX_URL_LENGTH,
  MAX_WEBHOOKS_PER_OWNER,
} from '../../../src/domain/webhooks/webhook-values.ts';
import { outboundPolicy } from '../../../src/net/outbound-policy.ts';
import { fieldOf, type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createApiKey, headPosition } from './support.ts';
import {
  CREATE_WEBHOOK,
  createWebhook,
  DELETE_WEBHOOK,
  MY_WEBHOOKS,
  PAUSE_WEBHOOK,
  REPLAY_WEBHOOK,
  RESUME_WEBHOOK,
  refusal,
  WEBHOOK,
  type WebhookView,
} from './webhook-support.ts';

const URL = 'https://hooks.example.org/chronicle/capability-token';
const READER_TYPES = ['UserRegistered', 'UserRoleChanged'];

describe('integrator webhooks over GraphQL', () => {
  let api: IdentityApp;
  let admin: TestUser;
  let reader: TestUser;
  let readerKey: string;

  beforeAll(async () => {
    // 10.0.0.0/8 stands for an internal network a deployment allowed; 127.0.0.1 stays refused.
    api = await startIdentityApp({ outbound: outboundPolicy(['10.0.0.0/8']) });
    admin = await makeAdmin(api);
    reader = await registerAndSignIn(api, 'Plain Integrator');
    readerKey = (
      await createApiKey(api, reader.accessToken, ['EVENTS_READ', 'GRAPHQL_WRITE', 'GRAPHQL_READ'])
    ).key;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates a webhook for an admin, starting after the last stored event, with its derived signing secret', async () => {
    const head = await headPosition(api);
    const created = await createWebhook(api, admin.accessToken, {
      url: URL,
      types: ['UserRegistered', 'BrandCreated'],
      streamPrefix: 'user-',
    });
    expect(created).toMatchObject({
      url: URL,
      types: ['UserRegistered', 'BrandCreated'],
      streamPrefix: 'user-',
      status: 'active',
      suspendedFor: null,
      deadLetterCount: 0,
      lastHandledPosition: null,
    });
    expect(BigInt(created.startAfter)).toBeGreaterThanOrEqual(head);
    const secret = eventWebhookSigningSecret(new TextEncoder().encode(TEST_AUTH_SECRET), created.id);
    expect(created.signingSecret).toBe(secret);

    const read = fieldOf<WebhookView & { lag: unknown; deadLetters: unknown }>(
      await api.gql(WEBHOOK, { id: created.id }, admin.accessToken),
      'eventWebhook',
    );
    expect(read.lag).toEqual({ events: 0, capped: false, oldestOccurredAt: null });
    expect(read.deadLetters).toEqual({
      totalCount: 0,
      nodes: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('lets a non-admin’s key with events:read subscribe to the readers’ types from a position, and refuses admin types', async () => {
    const created = await createWebhook(api, readerKey, { url: URL, types: READER_TYPES, after: '0' });
    expect(created.startAfter).toBe('0');
    const adminType = await api.gql(
      CREATE_WEBHOOK,
      { input: { url: URL, types: ['UserRegistered', 'ContentCreated'] } },
      readerKey,
    );
    expect(refusal(adminType)).toBe('FORBIDDEN/ADMIN_ONLY');
    // The key's owner sees it signed in too: the webhook is the person's, not the key's.
    const mine = fieldOf<{ nodes: { id: string }[] }>(
      await api.gql(MY_WEBHOOKS, {}, reader.accessToken),
      'myEventWebhooks',
    );
    expect(mine.nodes.map((node) => node.id)).toContain(created.id);
  });

  it('refuses callers who may not read the event stream', async () => {
    const input = { url: URL, types: READER_TYPES };
    expect(refusal(await api.gql(CREATE_WEBHOOK, { input }, reader.accessToken))).toBe(
      'FORBIDDEN/ADMIN_ONLY',
    );
    const writeOnly = (await createApiKey(api, reader.accessToken, ['GRAPHQL_WRITE'])).key;
    expect(refusal(await api.gql(CREATE_WEBHOOK, { input }, writeOnly))).toBe('FORBIDDEN/MISSING_SCOPE');
    const readOnly = (await createApiKey(api, reader.accessToken, ['EVENTS_READ'])).key;
    expect(refusal(await api.gql(CREATE_WEBHOOK, { input }, readOnly))).toBe('FORBIDDEN/MISSING_SCOPE');
    expect(refusal(await api.gql(CREATE_WEBHOOK, { input }))).toBe('UNAUTHENTICATED/SIGN_IN_REQUIRED');
  });

  it('refuses bad and internal URLs with a reason, unknown and unpublished types, and inputs over the limits', async () => {
    const create = (input: Record<string, unknown>) =>
      api.gql(CREATE_WEBHOOK, { input: { url: URL, types: READER_TYPES, ...input } }, admin.accessToken);
    const scheme = await create({ url: 'ftp://hooks.example.org/x' });
    expect(refusal(scheme)).toBe('VALIDATION/TARGET_NOT_ALLOWED');
    expect(scheme.errors?.[0]?.message).toMatch(/http or https/);
    const loopback = await create({ url: 'http://127.0.0.1:9/hook' });
    expect(refusal(loopback)).toBe('VALIDATION/TARGET_NOT_ALLOWED');
    expect(loopback.errors?.[0]?.message).toMatch(/loopback/);
    expect(refusal(await create({ url: 'not a url' }))).toBe('VALIDATION/TARGET_NOT_ALLOWED');
    // An address of a network the deployment allowed passes.
    expect((await create({ url: 'http://10.1.2.3/hook' })).errors).toBeUndefined();

    const unknown = await create({ types: ['UserRegistered', 'NoSuchEvent'] });
    expect(refusal(unknown)).toBe('VALIDATION/INVALID_INPUT');
    expect(unknown.errors?.[0]?.message).toMatch(/NoSuchEvent is not a public event type/);
    expect(refusal(await create({ types: ['UserPasswordChanged'] }))).toBe('VALIDATION/INVALID_INPUT');
    expect(refusal(await create({ types: ['EventWebhookCreated'] }))).toBe('VALIDATION/INVALID_INPUT');
    expect(refusal(await create({ types: [] }))).toBe('VALIDATION/INVALID_INPUT');
    expect(
      refusal(await create({ types: Array.from({ length: MAX_TYPES + 1 }, () => 'UserRegistered') })),
    ).toBe('VALIDATION/INVALID_INPUT');
    expect(refusal(await create({ url: `https://example.org/${'a'.repeat(MAX_URL_LENGTH)}` }))).toBe(
      'VALIDATION/INVALID_INPUT',
    );
    expect(refusal(await create({ after: '-3' }))).toBe('VALIDATION/INVALID_INPUT');
  });

  it('pauses, resumes, replays and deletes for the owner only; anyone else’s id is NOT_FOUND', async () => {
    const created = await createWebhook(api, readerKey, { url: URL, types: READER_TYPES });
    const { id } = created;
    expect(fieldOf(await api.gql(PAUSE_WEBHOOK, { id }, readerKey), 'pauseEventWebhook')).toEqual({
      id,
      status: 'paused',
    });
    expect(fieldOf(await api.gql(RESUME_WEBHOOK, { id }, reader.accessToken), 'resumeEventWebhook')).toEqual({
      id,
      status: 'active',
      suspendedFor: null,
    });
    expect(
      fieldOf(await api.gql(REPLAY_WEBHOOK, { id, after: '0' }, readerKey), 'replayEventWebhook'),
    ).toEqual({
      id,
      status: 'active',
    });
    expect(refusal(await api.gql(REPLAY_WEBHOOK, { id, after: 'soon' }, readerKey))).toBe(
      'VALIDATION/INVALID_INPUT',
    );

    for (const [operation, variables] of [
      [PAUSE_WEBHOOK, { id }],
      [RESUME_WEBHOOK, { id }],
      [REPLAY_WEBHOOK, { id, after: '0' }],
      [DELETE_WEBHOOK, { id }],
    ] as const) {
      expect(refusal(await api.gql(operation, variables, admin.accessToken))).toBe(
        'NOT_FOUND/WEBHOOK_NOT_FOUND',
      );
    }
    expect((await api.gql(WEBHOOK, { id }, admin.accessToken)).data?.eventWebhook).toBeNull();
    expect(refusal(await api.gql(PAUSE_WEBHOOK, { id: randomUUID() }, readerKey))).toBe(
      'NOT_FOUND/WEBHOOK_NOT_FOUND',
    );

    expect(fieldOf(await api.gql(DELETE_WEBHOOK, { id }, readerKey), 'deleteEventWebhook')).toBe(id);
    expect((await api.gql(WEBHOOK, { id }, readerKey)).data?.eventWebhook).toBeNull();
    expect(refusal(await api.gql(RESUME_WEBHOOK, { id }, readerKey))).toBe('NOT_FOUND/WEBHOOK_NOT_FOUND');
  });

  it('holds each person to the webhook limit, lists their webhooks page by page, and frees a place on delete', async () => {
    const owner = await makeAdmin(api);
    const ids: string[] = [];
    for (let i = 0; i < MAX_WEBHOOKS_PER_OWNER; i++) {
      ids.push((await createWebhook(api, owner.accessToken, { url: `${URL}/${i}`, types: READER_TYPES })).id);
    }
    const over = await api.gql(
      CREATE_WEBHOOK,
      { input: { url: URL, types: READER_TYPES } },
      owner.accessToken,
    );
    expect(refusal(over)).toBe('CONFLICT/WEBHOOK_LIMIT');

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: {
        totalCount: number;
        nodes: { id: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      } = fieldOf(await api.gql(MY_WEBHOOKS, { first: 4, after }, owner.accessToken), 'myEventWebhooks');
      expect(page.totalCount).toBe(MAX_WEBHOOKS_PER_OWNER);
      seen.push(...page.nodes.map((node) => node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual([...ids].reverse());

    await api.gql(DELETE_WEBHOOK, { id: ids[0] }, owner.accessToken);
    expect(
      (await api.gql(CREATE_WEBHOOK, { input: { url: URL, types: READER_TYPES } }, owner.accessToken)).errors,
    ).toBeUndefined();
  });

  it('counts the lag of events not yet handled, from the oldest one’s time', async () => {
    const { id } = await createWebhook(api, admin.accessToken, { url: URL, types: ['UserRegistered'] });
    const before = Date.now();
    await registerAndSignIn(api, 'Lagging One');
    await registerAndSignIn(api, 'Lagging Two');
    const { lag } = fieldOf<{ lag: { events: number; capped: boolean; oldestOccurredAt: string } }>(
      await api.gql(WEBHOOK, { id }, admin.accessToken),
      'eventWebhook',
    );
    expect(lag).toMatchObject({ events: 2, capped: false });
    expect(Date.parse(lag.oldestOccurredAt)).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('refuses a cursor it did not hand out with VALIDATION/INVALID_CURSOR, for webhooks and for dead letters', async () => {
    const forged = (values: string[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    for (const after of [forged(['x', 'y']), forged(['2026-01-01T00:00:00.000000Z', 'not-a-uuid'])]) {
      expect(refusal(await api.gql(MY_WEBHOOKS, { first: 2, after }, admin.accessToken))).toBe(
        'VALIDATION/INVALID_CURSOR',
      );
    }
    const { id } = await createWebhook(api, admin.accessToken, { url: URL, types: READER_TYPES });
    const deadLetters = `query ($id: ID!, $after: String) {
      eventWebhook(id: $id) { deadLetters(page: { first: 2, after: $after }) { totalCount } }
    }`;
    for (const after of [forged(['x']), forged(['99999999999999999999']), forged(['-1'])]) {
      expect(refusal(await api.gql(deadLetters, { id, after }, admin.accessToken))).toBe(
        'VALIDATION/INVALID_CURSOR',
      );
    }
    const valid = await api.gql(deadLetters, { id, after: forged(['5']) }, admin.accessToken);
    expect(valid.errors).toBeUndefined();
  });

  it('answers a retried creation with the same webhook', async () => {
    const key = `create-${randomUUID()}`;
    const input = { url: URL, types: READER_TYPES };
    const first = fieldOf<WebhookView>(
      await api.gql(CREATE_WEBHOOK, { input, key }, admin.accessToken),
      'createEventWebhook',
    );
    const again = fieldOf<WebhookView>(
      await api.gql(CREATE_WEBHOOK, { input, key }, admin.accessToken),
      'createEventWebhook',
    );
    expect(again.id).toBe(first.id);
  });
});
