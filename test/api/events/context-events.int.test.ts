import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicTypesFor } from '../../../src/api/events/catalogues.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { setRole } from '../../../src/services/identity/account.ts';
import { CREATE_BRAND, CREATE_CONTENT } from '../content/support.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import {
  identityDeps,
  makeAdmin,
  registerAndSignIn,
  registerUser,
  type TestUser,
} from '../support/identity-operations.ts';
import { baseUrlOf, openEventStream, requestEvents, type SseStream } from '../support/sse-client.ts';
import { createApiKey, headPosition } from './support.ts';

const WEBHOOK_URL = 'https://hooks.example.org/services/T0001/B0001/capability-token-4711';
const UPDATE_BRAND = `mutation ($id: ID!, $input: UpdateBrandInput!) { updateBrand(id: $id, input: $input) { id } }`;
const UPSERT_MENTOR = `mutation ($input: MentorProfileInput!) { upsertMentorProfile(input: $input) { userId } }`;

describe('GET /events: brand, content and mentorship events', () => {
  let api: IdentityApp;
  let baseUrl: string;
  let admin: TestUser;
  let adminKey: string;
  let readerKey: string;
  let brand: {
    id: string;
    channels: { id: string; kind: string; url: string | null; signingSecret: string | null }[];
  };
  const open: SseStream[] = [];
  const stream = async (request: Parameters<typeof openEventStream>[1]) => {
    const opened = await openEventStream(baseUrl, request);
    open.push(opened);
    return opened;
  };

  beforeAll(async () => {
    api = await startIdentityApp({ eventStreamLimits: { heartbeatMs: 200 } });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = baseUrlOf(api.app.server.address());
    admin = await makeAdmin(api);
    adminKey = (await createApiKey(api, admin.accessToken, ['EVENTS_READ'])).key;
    const reader = await registerAndSignIn(api, 'Plain Integrator');
    readerKey = (await createApiKey(api, reader.accessToken, ['EVENTS_READ'])).key;
    const created = await api.gql(
      CREATE_BRAND,
      {
        input: {
          name: 'Oatly-ish',
          description: 'Oat drinks for everyone',
          identity: { toneOfVoice: 'Warm', guardrails: ['no medical claims'], colours: ['#00aa55'] },
          country: 'GB',
          language: 'en-GB',
          allowedContentTypes: ['article'],
          workflow: [{ name: 'Brand review', role: 'approver' }],
          channels: [{ kind: 'webhook', url: WEBHOOK_URL }, { kind: 'feed' }],
        },
      },
      admin.accessToken,
    );
    brand = fieldOf(created, 'createBrand');
  });
  afterAll(async () => {
    for (const opened of open) opened.close();
    await api?.close();
  });

  it('sends brand events to an admin’s key without channels, webhook URLs or signing secrets', async () => {
    const signingSecret = brand.channels.find((c) => c.kind === 'webhook')?.signingSecret;
    expect(signingSecret).toEqual(expect.any(String));
    fieldOf(
      await api.gql(
        UPDATE_BRAND,
        { id: brand.id, input: { name: 'Oat Co', channels: [{ kind: 'webhook', url: `${WEBHOOK_URL}-2` }] } },
        admin.accessToken,
      ),
      'updateBrand',
    );

    const events = await stream({ token: adminKey, query: { streamPrefix: `brand-${brand.id}` } });
    await events.until((s) => s.events().some((e) => e.type === 'BrandUpdated'));
    const created = events.events().find((e) => e.type === 'BrandCreated');
    expect(created?.data).toMatchObject({
      brandId: brand.id,
      createdBy: admin.id,
      name: 'Oatly-ish',
      country: 'GB',
      workflow: { steps: [{ name: 'Brand review', role: 'approver' }] },
    });
    expect(created?.data).not.toHaveProperty('channels');
    const updated = events.events().find((e) => e.type === 'BrandUpdated');
    expect(updated?.data).toEqual({ brandId: brand.id });
    const raw = events.frames.map((frame) => frame.data).join('\n');
    expect(raw).not.toContain('capability-token');
    expect(raw).not.toContain(String(signingSecret));
  });

  it('sends content events to an admin’s key with the content’s fields', async () => {
    const content = fieldOf<{ id: string }>(
      await api.gql(
        CREATE_CONTENT,
        {
          input: {
            brandId: brand.id,
            type: 'article',
            title: 'Oats, explained',
            fields: [{ key: 'body', value: 'Swedish oats.' }],
          },
        },
        admin.accessToken,
      ),
      'createContent',
    );
    const events = await stream({ token: adminKey, query: { types: 'ContentCreated' } });
    await events.until((s) => s.events().some((e) => e.data.contentId === content.id));
    const created = events.events().find((e) => e.data.contentId === content.id);
    expect(created).toMatchObject({
      streamName: `content-${content.id}`,
      data: { contentId: content.id, brandId: brand.id, title: 'Oats, explained', authorId: admin.id },
    });
  });

  it('sends a mentor profile without availability or time zone', async () => {
    const mentor = await registerAndSignIn(api, 'Mentor Mo');
    fieldOf(
      await api.gql(
        UPSERT_MENTOR,
        {
          input: {
            subjects: [{ subject: 'TypeScript', level: 'expert' }],
            styles: ['socratic'],
            languages: ['en'],
            availability: [{ day: 0, start: '18:00', end: '20:00' }],
            timeZone: 'Europe/Berlin',
            capacity: 3,
            accepting: true,
          },
        },
        mentor.accessToken,
      ),
      'upsertMentorProfile',
    );
    const events = await stream({ token: adminKey, query: { types: 'MentorProfileUpserted' } });
    await events.until((s) => s.events().some((e) => e.data.mentorId === mentor.id));
    const profile = events.events().find((e) => e.data.mentorId === mentor.id);
    expect(Object.keys(profile?.data ?? {}).sort()).toEqual([
      'accepting',
      'capacity',
      'languages',
      'mentorId',
      'styles',
      'subjects',
    ]);
    expect(JSON.stringify(profile)).not.toContain('Europe/Berlin');
  });

  it('keeps admin-only types from the keys of non-admins', async () => {
    const refused = await requestEvents(baseUrl, { token: readerKey, query: { types: 'BrandCreated' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'ADMIN_ONLY' });

    // Everything from the start, up to a user registered after the brand, content and profile.
    const events = await stream({ token: readerKey });
    const marker = await registerUser(api, undefined, 'Marker');
    await events.until((s) => s.events().some((e) => e.data.userId === marker.id));
    const types = new Set(events.events().map((e) => e.type));
    expect(types).toContain('UserRegistered');
    for (const type of types) expect(publicTypesFor('readers')).toContain(type);
    const stored = new Set((await api.runtime.store.readAll({})).map((e) => e.type));
    for (const type of ['BrandCreated', 'ContentCreated', 'MentorProfileUpserted']) {
      expect(stored).toContain(type);
      expect(types).not.toContain(type);
    }
  });

  it('ends an admin key’s stream with ADMIN_ONLY once its owner is no longer an admin', async () => {
    const demoted = await makeAdmin(api);
    const key = (await createApiKey(api, demoted.accessToken, ['EVENTS_READ'])).key;
    const after = (await headPosition(api)).toString();
    const events = await stream({ token: key, query: { after, types: 'BrandUpdated,UserRoleChanged' } });
    const demotion = await setRole(
      identityDeps(api),
      { actor: { kind: 'system', process: 'test' }, correlationId: randomUUID() },
      { userId: demoted.id, role: 'user' },
    );
    if (demotion.position !== null) {
      await waitForPosition(api.runtime.pool, api.runtime.bus, demotion.position, { timeoutMs: 5000 });
    }
    await events.until((s) =>
      s.events().some((e) => e.type === 'UserRoleChanged' && e.data.userId === demoted.id),
    );
    // Past one recheck period (the 200 ms heartbeat), so the owner's role is read again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    fieldOf(
      await api.gql(UPDATE_BRAND, { id: brand.id, input: { name: 'Oat Co 2' } }, admin.accessToken),
      'updateBrand',
    );
    await events.ended;
    expect(events.events().map((e) => e.type)).not.toContain('BrandUpdated');
    expect(events.frames.at(-1)).toEqual({
      event: 'error',
      data: expect.stringContaining('"reason":"ADMIN_ONLY"'),
    });
  });
});
