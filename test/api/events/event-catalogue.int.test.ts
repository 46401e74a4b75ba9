import { Parser } from '@asyncapi/parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_EVENT_TYPES } from '../../../src/api/events/catalogues.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';

interface CatalogueEntry {
  type: string;
  schemaVersion: number;
  personalFields: string[];
  dataSchema: { type: string; properties: Record<string, Record<string, unknown>>; required?: string[] };
}

/** One published type of each context besides identity (all of them for admins only). */
const CONTEXT_SAMPLES = [
  'BrandCreated',
  'ContentCreated',
  'AIGenerationRequested',
  'MediaUploadRequested',
  'VideoPostCreated',
  'MentorProfileUpserted',
];

describe('the event catalogue and its AsyncAPI description', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists every public event type with the JSON Schema of its public fields only, without sign-in', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/events/catalogue' });
    expect(response.statusCode).toBe(200);
    const catalogue = response.json<{ jsonSchemaDialect: string; events: CatalogueEntry[] }>();
    expect(catalogue.jsonSchemaDialect).toBe('http://json-schema.org/draft-07/schema#');
    expect(catalogue.events.map((e) => e.type)).toEqual([...PUBLIC_EVENT_TYPES]);

    const registered = catalogue.events.find((e) => e.type === 'UserRegistered');
    expect(registered).toMatchObject({ schemaVersion: 1, personalFields: ['displayName'] });
    expect(Object.keys(registered?.dataSchema.properties ?? {}).sort()).toEqual([
      'at',
      'displayName',
      'role',
      'userId',
    ]);
    expect(registered?.dataSchema.properties.displayName).toMatchObject({
      type: ['string', 'null'],
      'x-personal-data': true,
    });
    expect(registered?.dataSchema.properties.role).not.toHaveProperty('x-personal-data');
    // No field by those names (the share platform `email` is a value, not a field).
    expect(JSON.stringify(catalogue)).not.toMatch(/"\w*(passwordHash|email|secret)\w*":/i);
  });

  it('lists the public types of every context, with their audience and without secrets', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/events/catalogue' });
    const { events } = response.json<{ events: (CatalogueEntry & { audience: string })[] }>();
    const byType = new Map(events.map((event) => [event.type, event]));
    const fieldsOf = (type: string) => Object.keys(byType.get(type)?.dataSchema.properties ?? {}).sort();
    for (const type of CONTEXT_SAMPLES) expect(byType.get(type)?.audience, type).toBe('admins');
    expect(byType.get('UserRegistered')?.audience).toBe('readers');
    expect(fieldsOf('BrandCreated')).not.toContain('channels');
    expect(fieldsOf('BrandUpdated')).toEqual(['brandId']);
    expect(fieldsOf('ContentPublishRequested')).not.toContain('channels');
    expect(fieldsOf('ContentChannelPublished')).not.toContain('location');
    expect(fieldsOf('MediaUploadRequested')).not.toContain('fileName');
    expect(fieldsOf('MentorProfileUpserted')).toEqual([
      'accepting',
      'capacity',
      'languages',
      'mentorId',
      'styles',
      'subjects',
    ]);
    for (const type of [
      'LearnerMessageSent',
      'MentorReplied',
      'MentorshipSessionNotesAdded',
      'MatchRequested',
    ]) {
      expect(byType.has(type), type).toBe(false);
    }
    expect(JSON.stringify(events)).not.toMatch(/storageKey|fileName|availability|timeZone|"url"/);
  });

  it('serves an AsyncAPI 3.0 document that a maintained parser accepts', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/events/asyncapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<Record<string, unknown>>();
    expect(document).toMatchObject({
      asyncapi: '3.0.0',
      info: { title: expect.any(String), version: 'test' },
      channels: { integratorEvents: { address: '/events' } },
      operations: { streamEvents: { action: 'send' } },
    });

    const { document: parsed, diagnostics } = await new Parser().parse(response.body);
    // Severity 0 is an error, 1 a warning; 2 and 3 are hints (e.g. "3.1.0 exists").
    expect(diagnostics.filter((d) => d.severity <= 1)).toEqual([]);
    if (!parsed) throw new Error('the parser produced no document');
    const messageNames = parsed
      .messages()
      .all()
      .map((message) => message.id());
    expect(messageNames.sort()).toEqual([...PUBLIC_EVENT_TYPES, 'StreamError'].sort());
    const registered = parsed
      .messages()
      .all()
      .find((message) => message.id() === 'UserRegistered');
    expect(registered?.payload()?.properties()?.data?.properties()?.displayName?.json()).toMatchObject({
      'x-personal-data': true,
    });
    for (const type of CONTEXT_SAMPLES) {
      const message = parsed
        .messages()
        .all()
        .find((each) => each.id() === type);
      expect(message?.json()['x-audience'], type).toBe('admins');
      expect(message?.payload()?.properties()?.type?.json()).toMatchObject({ const: type });
    }
  });
});
